/** Photos are made smaller on the phone before they wait in the outbox: a long side of at most 1600 px, JPEG. */
const MAX_SIDE = 1600;

export async function compressPhoto(file: Blob): Promise<Blob> {
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const out = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.8));
    return out && out.size < file.size ? out : file;
  } catch {
    // Not an image the browser can decode: sent as it is (the server checks it).
    return file;
  }
}
