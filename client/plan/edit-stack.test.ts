import { describe, expect, it } from 'vitest';
import { EditStack } from './edit-stack.ts';

describe('the edit stack (undo and redo of shape edits)', () => {
  it('undoes and redoes edits in order', () => {
    const stack = new EditStack('a');
    expect(stack.canUndo).toBe(false);
    stack.push('b');
    stack.push('c');
    expect(stack.undo()).toBe('b');
    expect(stack.undo()).toBe('a');
    expect(stack.undo()).toBeUndefined();
    expect(stack.canRedo).toBe(true);
    expect(stack.redo()).toBe('b');
    expect(stack.redo()).toBe('c');
    expect(stack.redo()).toBeUndefined();
  });

  it('forgets what was undone once a new edit is made, and starts over on reset', () => {
    const stack = new EditStack(1);
    stack.push(2);
    stack.undo();
    stack.push(3);
    expect(stack.canRedo).toBe(false);
    expect(stack.undo()).toBe(1);
    stack.reset(9);
    expect(stack.canUndo).toBe(false);
    expect(stack.canRedo).toBe(false);
  });
});
