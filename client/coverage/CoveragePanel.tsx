import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ViewProps } from '../views.ts';
import { api } from '../api.ts';
import { useCell } from '../data/cells.ts';
import { useI18n } from '../i18n/index.tsx';
import { useMap, useMapController } from '../map/context.tsx';
import { useCoverageMessages } from './messages.ts';
import { useCoverageLayers } from './layers.ts';
import {
  KIND_COLORS, boundsOf, compareReports, countsOf, formatArea, formatRatio, problemsOf,
  type Difference, type LevelAnswer, type ParentAnswer, type ParentReport, type PeopleGap, type Problem, type ProblemKind,
} from './model.ts';
import { analyseInBackground, type CoverageInput } from './instant.ts';
import type { CoverageTolerance } from '../../core/coverage/engine.ts';
import type { CoverageFixBody, FixAnswer } from '../../core/contracts/coverage.ts';
import { problemText } from '../../core/problems/index.ts';
import './coverage.css';

type Scope = { kind: 'parent'; parentId: number } | { kind: 'level'; level: number };

/**
 * One check: the browser's instant reports (Turf) and the server's (PostGIS), each when it has
 * arrived. The server's replace the instant ones on screen; both are kept to compare them.
 */
interface Result {
  run: number;
  scope: Scope;
  tolerance: CoverageTolerance;
  instant: ParentReport[] | null;
  instantError: string | null;
  server: ParentReport[] | null;
  serverError: string | null;
  people: PeopleGap[] | null;
  peopleError: string | null;
}

interface CellName {
  name: string;
  code: string;
}

const KIND_LABEL = { overlap: 'overlaps', gap: 'gaps', stray: 'strays', sliver: 'slivers' } as const;

/** Most items listed per kind; a level of a big city can have thousands of slivers. */
const LIST_LIMIT = 100;

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

const scopeQuery = (scope: Scope) => new URLSearchParams(scope.kind === 'parent' ? { parentId: String(scope.parentId) } : { level: String(scope.level) });

function coverageUrl(scope: Scope, tolerance: { minAreaM2: number; sliverWidthM: number | null }) {
  const q = scopeQuery(scope);
  q.set('minAreaM2', String(tolerance.minAreaM2));
  if (tolerance.sliverWidthM !== null) q.set('sliverWidthM', String(tolerance.sliverWidthM));
  return `/api/coverage?${q}`;
}

/** The cells whose people the check lists: the selected cell's children, or the level below. */
const peopleUrl = (scope: Scope) => `/api/people-gaps?${scope.kind === 'parent' ? `parentId=${scope.parentId}` : `level=${scope.level + 1}`}`;

/**
 * The planner's coverage check: for the children of the selected cell, or for every parent of a
 * level, counts, covered share, overlaps, gaps, strays, slivers and invalid cells, drawn on the
 * map while the result is open, each problem with its one-click fix; beside them the people gaps
 * (cells without their required people). The Turf engine answers at once in the browser; the
 * server's PostGIS analysis, the authority, replaces it when it arrives and is compared with it.
 */
export function CoveragePanel({ config, selectedId, onSelect }: ViewProps) {
  const t = useCoverageMessages();
  const { lang } = useI18n();
  const map = useMap();
  const { refreshCells } = useMapController();

  const levels = config.levels;
  const parentLevels = levels.slice(0, -1);
  const [scopeKind, setScopeKind] = useState<'parent' | 'level'>('parent');
  const [level, setLevel] = useState<number>(parentLevels[0]?.level ?? 1);
  const [minArea, setMinArea] = useState('1');
  const [minWidth, setMinWidth] = useState('');
  const [result, setResult] = useState<Result | null>(null);
  const runs = useRef(0);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [hoverKey, setHoverKey] = useState<string | null>(null);
  const [activeKey, setActiveKey] = useState<string | null>(null);
  // The names of the cells a result mentions (GET /api/cells/names), as they arrive.
  const [resultNames, setNames] = useState<ReadonlyMap<number, CellName>>(new Map());
  const namesRef = useRef(resultNames);
  namesRef.current = resultNames;
  const runController = useRef<AbortController | null>(null);

  const levelName = useCallback((n: number) => {
    const l = levels.find((x) => x.level === n);
    return l ? (lang === 'en' ? l.en : l.zh) : String(n);
  }, [levels, lang]);

  // The selected cell's name, for the scope line (only a label: the id stands in until it is there).
  const selectedCell = useCell(selectedId).data;
  const names = useMemo<ReadonlyMap<number, CellName>>(() => {
    if (!selectedCell || resultNames.has(selectedCell.id)) return resultNames;
    return new Map(resultNames).set(selectedCell.id, { name: selectedCell.properties.name, code: selectedCell.properties.code });
  }, [resultNames, selectedCell]);

  useEffect(() => () => runController.current?.abort(), []);

  /** Looks up the names of the cells a result mentions, in one request (GET /api/cells/names). */
  const loadNames = useCallback(async (ids: number[], signal: AbortSignal) => {
    const missing = [...new Set(ids)].filter((id) => !namesRef.current.has(id)).slice(0, 500);
    if (missing.length === 0) return;
    const got = await api<{ cells: { id: number; code: string; name: string }[] }>(`/api/cells/names?ids=${missing.join(',')}`, { signal })
      .catch(() => null); // Only labels: ids stand in for names.
    if (!got || signal.aborted) return;
    setNames((m) => {
      const next = new Map(m);
      for (const c of got.cells) next.set(c.id, { name: c.name, code: c.code });
      return next;
    });
  }, []);

  const tolerance = useMemo(() => {
    const min = Number(minArea);
    const width = minWidth.trim() === '' ? null : Number(minWidth);
    return {
      minAreaM2: Number.isFinite(min) && min >= 0 ? min : 1,
      sliverWidthM: width !== null && Number.isFinite(width) && width > 0 ? width : null,
    };
  }, [minArea, minWidth]);

  const run = useCallback(async (scope: Scope, tol: { minAreaM2: number; sliverWidthM: number | null }, keepMessages = false) => {
    runController.current?.abort();
    const controller = new AbortController();
    const { signal } = controller;
    runController.current = controller;
    const id = ++runs.current;
    setRunning(true);
    if (!keepMessages) {
      setError(null);
      setNotice(null);
    }
    let acc: Result = { run: id, scope, tolerance: tol, instant: null, instantError: null, server: null, serverError: null, people: null, peopleError: null };
    /**
     * Merges a part into this run's result. The previous run's result stays on screen (no flash
     * of an empty panel after a fix) until this run has reports to show, or the server failed.
     */
    const update = (part: Partial<Result>) => {
      if (signal.aborted) return;
      acc = { ...acc, ...part };
      if (acc.instant || acc.server || acc.serverError) setResult(acc);
    };
    const named = (reports: ParentReport[]) =>
      void loadNames(reports.flatMap((r) => [r.parentId, ...problemsOf([r]).flatMap((p) => p.cells), ...r.invalid.map((i) => i.cellId)]), signal);

    const instant = (async () => {
      try {
        const input = await api<CoverageInput>(`/api/coverage/cells?${scopeQuery(scope)}`, { signal });
        const reports = await analyseInBackground(input, tol, signal);
        update({ instant: reports });
        named(reports);
      } catch (e) {
        if (!signal.aborted) update({ instantError: errorText(e) });
      }
    })();
    const server = (async () => {
      try {
        const answer = await api<ParentAnswer | LevelAnswer>(coverageUrl(scope, tol), { signal });
        const reports = 'parents' in answer ? answer.parents : [answer];
        update({ server: reports, tolerance: answer.tolerance });
        named(reports);
      } catch (e) {
        if (!signal.aborted) update({ serverError: errorText(e) });
      }
    })();
    const people = (async () => {
      try {
        const gaps = await api<PeopleGap[]>(peopleUrl(scope), { signal });
        update({ people: gaps });
        void loadNames(gaps.map((g) => g.cellId), signal);
      } catch (e) {
        if (!signal.aborted) update({ peopleError: errorText(e) });
      }
    })();
    await Promise.all([instant, server, people]);
    if (runController.current === controller) setRunning(false);
  }, [loadNames]);

  const scope: Scope | null = scopeKind === 'level' ? { kind: 'level', level } : selectedId !== null ? { kind: 'parent', parentId: selectedId } : null;

  /** What is shown: the server's reports once they are in, the instant ones until then. */
  const shown = result?.server ?? result?.instant ?? null;
  const differences = useMemo<Difference[] | null>(
    () => (result?.server && result.instant ? compareReports(result.instant, result.server) : null), [result]);
  const problems = useMemo(() => (shown ? problemsOf(shown) : null), [shown]);
  const counts = useMemo(() => (shown ? countsOf(shown) : null), [shown]);
  const highlight = useMemo(() => problems?.find((p) => p.key === (hoverKey ?? activeKey)) ?? null, [problems, hoverKey, activeKey]);
  useCoverageLayers(map, problems, highlight);

  const nameOf = useCallback((id: number) => names.get(id)?.name ?? t('cell', { id }), [names, t]);

  const zoomTo = (p: Problem) => {
    setActiveKey(p.key);
    map?.fitBounds(boundsOf(p.geometry), { padding: 80, maxZoom: 19, duration: 500 });
  };

  const fix = async (key: string, body: CoverageFixBody) => {
    if (!result) return;
    setBusy(key);
    setError(null);
    setNotice(null);
    try {
      const answer = await api<FixAnswer>('/api/coverage/fix', { method: 'POST', body });
      refreshCells();
      setActiveKey(null);
      setHoverKey(null);
      setNotice(answer.created !== null
        ? t('fixedNew', { cell: answer.created })
        : t('fixed', { cells: answer.changed.map(nameOf).join('、') }));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
    // Fixed or refused, both checks run again (a refusal usually means the data changed).
    await run(result.scope, { minAreaM2: result.tolerance.minAreaM2, sliverWidthM: result.tolerance.sliverWidthM ?? null }, true);
  };

  const close = () => {
    runController.current?.abort();
    setResult(null);
    setNotice(null);
    setError(null);
    setActiveKey(null);
    setHoverKey(null);
  };

  const resultTitle = result
    ? result.scope.kind === 'parent'
      ? t('childrenOf', { name: nameOf(result.scope.parentId) })
      : t('levelOption', { parent: levelName(result.scope.level), child: levelName(result.scope.level + 1) })
    : '';

  const cellButton = (id: number) => (
    <button key={id} type="button" className="link coverage-cell" title={names.get(id)?.code} onClick={() => onSelect(id)}>{nameOf(id)}</button>
  );
  const cellList = (ids: number[]) => ids.flatMap((id, i) => (i ? [<span key={`s${id}`}>、</span>, cellButton(id)] : [cellButton(id)]));

  const describe = (p: Problem) => {
    switch (p.kind) {
      case 'overlap':
        return <>{cellButton(p.fault.a)} ∩ {cellButton(p.fault.b)}</>;
      case 'gap':
        return p.fault.neighbours.length ? <>{t('gapItem', { cells: '' })}{cellList(p.fault.neighbours)}</> : t('gapNoNeighbour');
      case 'stray':
        return <>{cellButton(p.fault.cellId)} {t('strayItem')}</>;
      case 'sliver': {
        const key = p.fault.kind === 'overlap' ? 'sliverOverlap' : p.fault.kind === 'gap' ? 'sliverGap' : 'sliverStray';
        return <>{t(key, { cells: '' })}{cellList(p.cells)}</>;
      }
    }
  };

  const fixes = (p: Problem) => {
    const disabled = busy !== null;
    const label = (text: string) => (busy === p.key ? t('fixing') : text);
    switch (p.kind) {
      case 'overlap': {
        const { a, b } = p.fault;
        return (
          <>
            <button type="button" className="button small" disabled={disabled} title={t('keepTitle', { keep: nameOf(a), other: nameOf(b) })}
              onClick={() => void fix(p.key, { kind: 'overlap', a, b, keep: 'a' })}>{label(t('keep', { name: nameOf(a) }))}</button>
            <button type="button" className="button small" disabled={disabled} title={t('keepTitle', { keep: nameOf(b), other: nameOf(a) })}
              onClick={() => void fix(p.key, { kind: 'overlap', a, b, keep: 'b' })}>{label(t('keep', { name: nameOf(b) }))}</button>
          </>
        );
      }
      case 'gap': {
        const gapBody: CoverageFixBody = { kind: 'gap', parentId: p.parentId, gapGeometry: { ...p.geometry }, minAreaM2: result!.tolerance.minAreaM2, ...(result!.tolerance.sliverWidthM ? { sliverWidthM: result!.tolerance.sliverWidthM } : {}) };
        return (
          <>
            {p.fault.neighbours.slice(0, 3).map((id) => (
              <button key={id} type="button" className="button small" disabled={disabled} title={t('mergeTitle', { name: nameOf(id) })}
                onClick={() => void fix(p.key, { ...gapBody, into: id })}>{label(t('mergeInto', { name: nameOf(id) }))}</button>
            ))}
            <button type="button" className="button small" disabled={disabled} title={t('newCellTitle')}
              onClick={() => void fix(p.key, { ...gapBody, into: 'new' })}>{label(t('newCell'))}</button>
          </>
        );
      }
      case 'stray':
        return (
          <button type="button" className="button small" disabled={disabled}
            onClick={() => void fix(p.key, { kind: 'stray', cellId: p.fault.cellId })}>{label(t('clip'))}</button>
        );
      case 'sliver':
        return null;
    }
  };

  const listOf = (kind: ProblemKind, titleKey: 'listOverlaps' | 'listGaps' | 'listStrays' | 'listSlivers') => {
    const items = problems?.filter((p) => p.kind === kind) ?? [];
    if (!items.length) return null;
    const sliverParents = kind === 'sliver' ? [...new Set(items.map((p) => p.parentId))] : [];
    return (
      <div className="coverage-list" data-kind={kind}>
        <h4><span className="coverage-swatch" style={{ background: KIND_COLORS[kind] }} />{t(titleKey, { n: items.length })}</h4>
        {sliverParents.length > 0 && (
          <div className="coverage-bulk">
            {sliverParents.slice(0, 20).map((pid) => (
              <button key={pid} type="button" className="button small" disabled={busy !== null}
                onClick={() => void fix(`slivers:${pid}`, { kind: 'slivers', parentId: pid, minAreaM2: result!.tolerance.minAreaM2, ...(result!.tolerance.sliverWidthM ? { sliverWidthM: result!.tolerance.sliverWidthM } : {}) })}>
                {busy === `slivers:${pid}` ? t('fixing') : sliverParents.length === 1 && result?.scope.kind === 'parent' ? t('cleanSlivers') : t('cleanSliversOf', { name: nameOf(pid) })}
              </button>
            ))}
          </div>
        )}
        <ul>
          {items.slice(0, LIST_LIMIT).map((p) => (
            <li key={p.key} className="coverage-item" data-kind={p.kind} data-key={p.key} aria-current={p.key === activeKey ? 'true' : undefined}
              onMouseEnter={() => setHoverKey(p.key)} onMouseLeave={() => setHoverKey(null)} onFocus={() => setHoverKey(p.key)} onBlur={() => setHoverKey(null)}>
              <button type="button" className="coverage-zoom" onClick={() => zoomTo(p)} aria-label={`${t(KIND_LABEL[kind])} ${formatArea(p.areaM2, lang)}`}>
                <span className="coverage-swatch" style={{ background: KIND_COLORS[p.kind] }} />
                <span className="coverage-area">{formatArea(p.areaM2, lang)}</span>
              </button>
              <span className="coverage-what">
                {describe(p)}
                {result?.scope.kind === 'level' && <span className="coverage-parent">{t('inParent', { name: nameOf(p.parentId) })}</span>}
              </span>
              {kind !== 'sliver' && <span className="coverage-fixes">{fixes(p)}</span>}
            </li>
          ))}
        </ul>
        {items.length > LIST_LIMIT && <p className="coverage-note">{t('more', { n: items.length - LIST_LIMIT })}</p>}
      </div>
    );
  };

  const invalid = shown?.flatMap((r) => r.invalid) ?? [];
  const failed = shown?.filter((r) => r.error) ?? [];
  const single = result?.scope.kind === 'parent' ? shown?.[0] : undefined;

  const differenceText = (d: Difference) => {
    const value = (n: number) => (d.kind === 'failed' ? t(n ? 'failedYes' : 'failedNo') : /Area$/.test(d.kind) ? formatArea(n, lang) : String(n));
    const line = t('diffLine', { what: t(`diff_${d.kind}`), instant: value(d.instant), server: value(d.server) });
    return result?.scope.kind === 'level' ? `${line}${t('diffIn', { name: nameOf(d.parentId) })}` : line;
  };

  /** Which engine the result shown comes from, and whether the two agree. */
  const checkState = !result ? null
    : result.server ? (differences === null ? 'checked' : differences.length ? 'differs' : 'same')
      : result.serverError ? (result.instant ? 'server-failed' : 'failed')
        : result.instant ? 'instant' : null;
  const checkLine = result && (checkState || result.instantError) && (
    <div className="coverage-check" data-testid="coverage-check" data-state={checkState ?? undefined} aria-live="polite">
      {checkState === 'instant' && <p className="coverage-note"><span className="coverage-pending" aria-hidden="true" />{t('instant')}</p>}
      {checkState === 'checked' && <p className="coverage-checked">✓ {t('checked')}</p>}
      {checkState === 'same' && <p className="coverage-checked">✓ {t('checkedSame')}</p>}
      {checkState === 'server-failed' && <p className="form-error">{t('serverFailed', { message: result.serverError! })}</p>}
      {checkState === 'failed' && <p className="form-error" role="alert">{t('error', { message: result.serverError! })}</p>}
      {checkState === 'differs' && (
        <>
          <p className="coverage-differs">{t('differs')}</p>
          <ul className="coverage-differences">{differences!.slice(0, 20).map((d, i) => <li key={i}>{differenceText(d)}</li>)}</ul>
        </>
      )}
      {result.instantError && !result.instant && <p className="coverage-note">{t('instantFailed', { message: result.instantError })}</p>}
    </div>
  );

  const assign = (id: number) => {
    onSelect(id);
    // The responsible-people editor above follows the selection: bring it into view.
    requestAnimationFrame(() => document.querySelector('[data-testid="assignments"]')?.scrollIntoView({ block: 'start', behavior: 'smooth' }));
  };
  const peopleList = result && (
    <div className="coverage-list coverage-people" data-testid="coverage-people">
      {result.peopleError && <p className="form-error">{t('peopleError', { message: result.peopleError })}</p>}
      {result.people && result.people.length === 0 && <p className="coverage-note">{t('peopleNone')}</p>}
      {result.people && result.people.length > 0 && (
        <>
          <h4><span className="coverage-swatch coverage-swatch-people" />{t('listPeople', { n: result.people.length })}</h4>
          <ul>
            {result.people.slice(0, LIST_LIMIT).map((g) => (
              <li key={g.cellId} className="coverage-item" data-kind="people" data-cell-id={g.cellId}>
                <span className="coverage-what">
                  {cellButton(g.cellId)}{' '}
                  {g.missing.map((m) => <span key={m.role} className="badge warn">{t('peopleMissing', { role: lang === 'en' ? m.en : m.zh, have: m.have, needed: m.needed })}</span>)}
                </span>
                <span className="coverage-fixes">
                  <a className="button small" href="#/plan" title={t('assignTitle', { name: g.name })}
                    onClick={(e) => { e.preventDefault(); assign(g.cellId); }}>{t('assign')}</a>
                </span>
              </li>
            ))}
          </ul>
          {result.people.length > LIST_LIMIT && <p className="coverage-note">{t('more', { n: result.people.length - LIST_LIMIT })}</p>}
        </>
      )}
    </div>
  );
  const clean = counts && !counts.overlaps && !counts.gaps && !counts.strays && !counts.errors && counts.parents > counts.notSubdivided;

  return (
    <section className="panel-section coverage" aria-labelledby="coverage-title">
      <h3 id="coverage-title">{t('section')}</h3>
      <p className="coverage-note">{t('intro')}</p>
      <form className="coverage-form" onSubmit={(e) => { e.preventDefault(); if (scope) void run(scope, tolerance); }}>
        <fieldset className="coverage-scope">
          <legend>{t('scopeLabel')}</legend>
          <label><input type="radio" name="coverage-scope" value="parent" checked={scopeKind === 'parent'} onChange={() => setScopeKind('parent')} /> {t('scopeChildren')}</label>
          <label><input type="radio" name="coverage-scope" value="level" checked={scopeKind === 'level'} onChange={() => setScopeKind('level')} /> {t('scopeLevel')}</label>
        </fieldset>
        {scopeKind === 'parent' && (
          <p className="coverage-note">{selectedId === null ? t('noSelection') : t('childrenOf', { name: nameOf(selectedId) })}</p>
        )}
        {scopeKind === 'level' && (
          <label className="coverage-field">{t('levelLabel')}
            <select className="input" name="coverage-level" value={level} onChange={(e) => setLevel(Number(e.target.value))}>
              {parentLevels.map((l) => <option key={l.level} value={l.level}>{t('levelOption', { parent: levelName(l.level), child: levelName(l.level + 1) })}</option>)}
            </select>
          </label>
        )}
        <details className="coverage-tolerance">
          <summary>{t('tolerance')}</summary>
          <label className="coverage-field">{t('minArea')}
            <input className="input" name="minAreaM2" type="number" min="0" step="any" value={minArea} onChange={(e) => setMinArea(e.target.value)} />
          </label>
          <label className="coverage-field">{t('sliverWidth')}
            <input className="input" name="sliverWidthM" type="number" min="0" step="any" value={minWidth} onChange={(e) => setMinWidth(e.target.value)} />
          </label>
        </details>
        <div className="coverage-actions">
          <button type="submit" className="button primary small" data-testid="coverage-run" disabled={!scope || running}>
            {running ? t('running') : result ? t('rerun') : t('run')}
          </button>
          {result && <button type="button" className="button small" onClick={close}>{t('clear')}</button>}
        </div>
      </form>

      {error && <p className="form-error" role="alert">{error}</p>}
      {notice && <p className="form-ok" role="status">{notice}</p>}

      {result && (
        <div className="coverage-result" data-testid="coverage-result" data-source={result.server ? 'server' : result.instant ? 'instant' : 'none'} aria-busy={running}>
          <h4 className="coverage-result-title">{resultTitle}</h4>
          {checkLine}
          {counts && (
            <>
              {single?.notSubdivided && !single.error && <p className="coverage-note">{t('notSubdivided')}</p>}
              {result.scope.kind === 'level' && counts.parents === counts.notSubdivided && <p className="coverage-note">{t('allNotSubdivided')}</p>}
              {!(single?.notSubdivided) && (
                <dl className="coverage-stats">
                  <div><dt>{t('covered')}</dt><dd data-testid="coverage-ratio">{formatRatio(counts.coveredRatio, lang)}</dd></div>
                  {result.scope.kind === 'level' && <div><dt>{t('parents')}</dt><dd>{counts.parents - counts.notSubdivided}</dd></div>}
                  <div data-kind="overlap"><dt>{t('overlaps')}</dt><dd data-testid="coverage-overlaps">{counts.overlaps}</dd></div>
                  <div data-kind="gap"><dt>{t('gaps')}</dt><dd data-testid="coverage-gaps">{counts.gaps}</dd></div>
                  <div data-kind="stray"><dt>{t('strays')}</dt><dd data-testid="coverage-strays">{counts.strays}</dd></div>
                  <div data-kind="sliver"><dt>{t('slivers')}</dt><dd data-testid="coverage-slivers">{counts.slivers}</dd></div>
                  {counts.invalid > 0 && <div><dt>{t('invalid')}</dt><dd>{counts.invalid}</dd></div>}
                  {counts.errors > 0 && <div><dt>{t('errors')}</dt><dd>{counts.errors}</dd></div>}
                  <div data-kind="people"><dt>{t('peopleGaps')}</dt><dd data-testid="coverage-people-gaps">{result.people?.length ?? '…'}</dd></div>
                </dl>
              )}
              {failed.length > 0 && (
                <ul className="form-error coverage-failed" role="alert">
                  {failed.map((r) => <li key={r.parentId}>{t('parentError', { name: nameOf(r.parentId), message: r.error! })}</li>)}
                </ul>
              )}
              {clean && <p className="form-ok">{t('clean')}</p>}
              {listOf('overlap', 'listOverlaps')}
              {listOf('gap', 'listGaps')}
              {listOf('stray', 'listStrays')}
              {listOf('sliver', 'listSlivers')}
              {invalid.length > 0 && (
                <div className="coverage-list">
                  <h4>{t('listInvalid', { n: invalid.length })}</h4>
                  <ul>
                    {invalid.slice(0, LIST_LIMIT).map((i) => (
                      <li key={i.cellId} className="coverage-item"><span className="coverage-what">{cellButton(i.cellId)}: <span title={i.reason}>{problemText(i.code, i.params, lang) ?? i.reason}</span></span></li>
                    ))}
                  </ul>
                </div>
              )}
            </>
          )}
          {peopleList}
        </div>
      )}
    </section>
  );
}
