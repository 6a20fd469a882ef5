import type { paths } from '../api/schema.gen.ts';
import { problemOf } from '../client/api.ts';

/** The API's two upload operations (multipart, 202 with the image's id); their paths are checked against the schema. */
type UploadPath = Extract<keyof paths, '/api/v1/products/{id}/images' | '/api/v1/seller/shop/images/{slot}'>;
type Accepted = NonNullable<paths[UploadPath]['post']>['responses'][202]['content']['application/json'];

export type UploadResult = Readonly<{ ok: true; imageId: string }> | Readonly<{ ok: false; message: string }>;

/** A path of the schema with its `{name}` parameters filled in. */
function fill(path: UploadPath, params: Readonly<Record<string, string>>): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(params[name] ?? ''));
}

/**
 * Uploads one image to the API with XMLHttpRequest, since fetch cannot report upload progress:
 * `onProgress` gets the fraction sent (0..1). Resolves with the new image's id (it is processing)
 * or the API's message.
 */
export function uploadImage(
  path: UploadPath,
  params: Readonly<Record<string, string>>,
  file: File,
  onProgress: (fraction: number) => void,
  alt?: string,
): Promise<UploadResult> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', fill(path, params));
    xhr.withCredentials = true;
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status === 202) resolve({ ok: true, imageId: (xhr.response as Accepted).image.id });
      else resolve({ ok: false, message: problemOf(xhr.response).message });
    };
    xhr.onerror = () => resolve({ ok: false, message: problemOf(null).message });
    const body = new FormData();
    if (alt) body.append('alt', alt);
    body.append('image', file);
    xhr.send(body);
  });
}

/** Waits `ms` milliseconds. */
export const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
