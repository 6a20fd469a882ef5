import { useEffect, useState } from 'preact/hooks';
import { api, problemOf } from '../client/api.ts';
import { pause, uploadImage } from './studio-upload.ts';

export type EditorImage = Readonly<{
  id: string;
  alt: string;
  status: 'processing' | 'ready' | 'failed';
  thumb: string | null;
  error: string | null;
}>;
export type ImagesProps = Readonly<{ productId: string; images: ReadonlyArray<EditorImage> }>;
type Sending = Readonly<{ key: number; name: string; progress: number; error: string | null }>;

const STATUS_WORDS = { processing: 'Processing', ready: 'Ready', failed: 'Failed' } as const;
let nextKey = 0;

/** The product's images as the owner sees them (processing ones included), from the API. */
async function fetchImages(productId: string): Promise<EditorImage[] | null> {
  const { data } = await api.GET('/api/v1/products/{id}/images', { params: { path: { id: productId } } });
  if (!data) return null;
  return data.images.map((i) => ({ id: i.id, alt: i.alt, status: i.status, thumb: i.urls?.thumb ?? null, error: i.error }));
}

function ImageItem(props: { n: number; image: EditorImage; onRemove: () => void }) {
  const { n, image } = props;
  return (
    <li class="editor-image">
      {image.thumb ? (
        <img src={image.thumb} alt={image.alt} width={96} height={96} />
      ) : (
        <span class="image-placeholder" aria-hidden="true" />
      )}
      <div>
        <p>
          Image {n}:{' '}
          <span class={`status ${image.status === 'ready' ? 'ok' : image.status === 'failed' ? 'bad' : 'warn'}`}>
            {STATUS_WORDS[image.status]}
          </span>
          {image.error ? ` ${image.error}` : null}
        </p>
        <p class="hint">Alt text: {image.alt || 'none'}</p>
        <button type="button" class="secondary" onClick={props.onRemove}>
          Remove image {n}
        </button>
      </div>
    </li>
  );
}

/**
 * The editor's images: drop files on the zone or choose them ("Add images"); each is uploaded to
 * the API with XMLHttpRequest (its progress shown), then its processing status is polled until
 * the resize job has made it ready. Images can be removed. Without JavaScript the list shows and
 * the zone says uploading needs it.
 */
export default function Images(props: ImagesProps) {
  const [images, setImages] = useState(props.images);
  const [sending, setSending] = useState<Sending[]>([]);
  const [alt, setAlt] = useState('');
  const [live, setLive] = useState(false);
  const [message, setMessage] = useState('');
  const [over, setOver] = useState(false);
  useEffect(() => setLive(true), []);
  const processing = images.some((i) => i.status === 'processing');
  useEffect(() => {
    if (!processing) return;
    let stop = false;
    void (async () => {
      while (!stop) {
        await pause(1000);
        const fresh = await fetchImages(props.productId);
        if (fresh && !stop) setImages(fresh);
        if (fresh && !fresh.some((i) => i.status === 'processing')) return;
      }
    })();
    return () => {
      stop = true;
    };
  }, [processing]);

  async function send(file: File) {
    const key = nextKey++;
    setSending((s) => [...s, { key, name: file.name, progress: 0, error: null }]);
    const update = (patch: Partial<Sending>) => setSending((s) => s.map((x) => (x.key === key ? { ...x, ...patch } : x)));
    const sent = await uploadImage(
      '/api/v1/products/{id}/images',
      { id: props.productId },
      file,
      (progress) => update({ progress }),
      alt.trim() || undefined,
    );
    if (!sent.ok) return update({ error: sent.message });
    setSending((s) => s.filter((x) => x.key !== key));
    setImages((list) => [...list, { id: sent.imageId, alt: alt.trim(), status: 'processing', thumb: null, error: null }]);
    setMessage(`${file.name} uploaded: processing`);
  }
  const sendAll = (files: FileList | null | undefined) => {
    for (const f of Array.from(files ?? [])) void send(f);
  };
  async function remove(image: EditorImage, n: number) {
    const { error } = await api.DELETE('/api/v1/products/{id}/images/{imageId}', {
      params: { path: { id: props.productId, imageId: image.id } },
    });
    if (error) return setMessage(`Image ${n} was not removed: ${problemOf(error).message}`);
    setImages((list) => list.filter((i) => i.id !== image.id));
    setMessage(`Image ${n} removed`);
  }

  return (
    <div class="editor-images">
      {images.length > 0 ? (
        <ol class="editor-image-list">
          {images.map((image, i) => (
            <ImageItem key={image.id} n={i + 1} image={image} onRemove={() => void remove(image, i + 1)} />
          ))}
        </ol>
      ) : (
        <p>No images yet.</p>
      )}
      <div
        class={`drop-zone${over ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          sendAll(e.dataTransfer?.files);
        }}
      >
        <div class="field">
          <label for="new-image-alt">Alt text for new images</label>
          <span class="hint" id="new-image-alt-hint">
            What the picture shows, for people who cannot see it.
          </span>
          <input
            id="new-image-alt"
            type="text"
            maxLength={200}
            value={alt}
            disabled={!live}
            aria-describedby="new-image-alt-hint"
            onInput={(e) => setAlt((e.currentTarget as HTMLInputElement).value)}
          />
        </div>
        <div class="field">
          <label for="add-images">Add images</label>
          <span class="hint" id="add-images-hint">
            {live ? 'Drop image files here, or choose them. JPEG, PNG, WebP, AVIF or GIF.' : 'Uploading images needs JavaScript.'}
          </span>
          <input
            id="add-images"
            type="file"
            accept="image/*"
            multiple
            disabled={!live}
            aria-describedby="add-images-hint"
            onChange={(e) => {
              const input = e.currentTarget as HTMLInputElement;
              sendAll(input.files);
              input.value = '';
            }}
          />
        </div>
        {sending.length > 0 ? (
          <ul class="uploads">
            {sending.map((s) => (
              <li key={s.key}>
                {s.name}:{' '}
                {s.error ? (
                  <span class="field-error">Not uploaded: {s.error}</span>
                ) : (
                  <progress max={1} value={s.progress} aria-label={`Uploading ${s.name}`}>
                    {Math.round(s.progress * 100)}%
                  </progress>
                )}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      <p role="status" class="upload-status">
        {message}
      </p>
    </div>
  );
}
