// Photos of a complaint, made ready in the browser before they are sent: each picture is
// redrawn on a canvas, at most 1600 px on its longer side, as a JPEG. Drawing applies the
// photo's orientation (the server strips EXIF, so a phone's sideways JPEG would otherwise
// stay sideways), leaves the metadata (GPS, camera) on the phone, turns an iPhone's HEIC
// into something the server takes, and keeps a 12-megapixel photo under the 1 MB limit.
import { upload } from './api.js';
import { t } from './i18n.js';
import { explain } from './complaints.js';

export const MAX_PHOTOS = 4;
export const MAX_BYTES = 1024 * 1024; // the server's limit per photo
const LONG_SIDE = 1600;
// A file this large is no phone photo; decoding it could exhaust a phone's memory.
const MAX_INPUT_BYTES = 40 * 1024 * 1024;

// An Error whose message is for the reader.
function refusal(key, file) {
  return new Error(t(key, { name: file.name || '' }));
}

function decode(file) {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(file);
    const img = new Image();
    img.onload = () => resolve({ img, url });
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(refusal('cmp.photo.unreadable', file));
    };
    img.src = url;
  });
}

function toJpeg(canvas, quality) {
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
}

// The file as a JPEG Blob of at most LONG_SIDE px and MAX_BYTES, or an Error saying why not.
export async function shrinkPhoto(file) {
  if (!String(file.type || '').startsWith('image/')) throw refusal('cmp.photo.notImage', file);
  if (file.size > MAX_INPUT_BYTES) throw refusal('cmp.photo.tooLarge', file);
  const { img, url } = await decode(file);
  try {
    let scale = Math.min(1, LONG_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
    // Lower the quality first, then the size, until it fits.
    for (let round = 0; round < 6; round++) {
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
      canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
      const g = canvas.getContext('2d');
      g.fillStyle = '#fff'; // a transparent PNG would turn black in a JPEG
      g.fillRect(0, 0, canvas.width, canvas.height);
      g.drawImage(img, 0, 0, canvas.width, canvas.height);
      for (const q of [0.85, 0.7, 0.55]) {
        const blob = await toJpeg(canvas, q);
        if (!blob) throw refusal('cmp.photo.unreadable', file);
        if (blob.size <= MAX_BYTES) return { blob, width: canvas.width, height: canvas.height };
      }
      scale *= 0.75;
    }
    throw refusal('cmp.photo.tooLarge', file);
  } finally {
    URL.revokeObjectURL(url);
  }
}

// The server's refusal of a photo in the reader's words.
export function explainPhoto(e) {
  const detail = e?.problem?.detail || '';
  if (e?.status === 400 && e.kind === 'bad-photo') return detail ? `${t('cmp.photo.bad')}：${detail}` : t('cmp.photo.bad');
  if (e?.status === 409) return detail ? `${t('cmp.photo.full')}：${detail}` : t('cmp.photo.full');
  if (e?.status === 413) return t('cmp.photo.tooLarge', { name: '' });
  return explain(e);
}

// Sends the chosen photos of complaint `code` one after another; onStep(i, n) before the
// i-th (1-based). Each item gets state 'done' or 'failed' (with its reason in `error`);
// one failing does not stop the others. Resolves to the number attached.
export async function uploadPhotos(code, items, onStep = () => {}) {
  let sent = 0;
  const todo = items.filter((p) => p.state !== 'done');
  for (let i = 0; i < todo.length; i++) {
    const p = todo[i];
    onStep(i + 1, todo.length);
    p.state = 'uploading';
    p.error = '';
    try {
      await upload(`/public/complaints/${encodeURIComponent(code)}/photos`, null, p.blob, { type: 'image/jpeg' });
      p.state = 'done';
      sent++;
    } catch (e) {
      p.state = 'failed';
      p.error = explainPhoto(e);
    }
  }
  return sent;
}

// Frees the thumbnails' object URLs of photos no longer shown.
export function releasePhotos(items) {
  for (const p of items) if (p.url) URL.revokeObjectURL(p.url);
}
