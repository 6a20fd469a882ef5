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

type ItemActions = Readonly<{
  onRemove: () => void;
  onMove: (by: -1 | 1) => void;
  onAlt: (alt: string) => void;
}>;

function ImageItem(props: { n: number; last: boolean; image: EditorImage; live: boolean; actions: ItemActions }) {
  const { n, image, actions } = props;
  const altId = `image-alt-${image.id}`;
  const pill = image.status === 'ready' ? 'ok' : image.status === 'failed' ? 'bad' : 'warn';
  return (
    <li class="editor-image">
      {image.thumb ? (
        <img src={image.thumb} alt={image.alt} width={96} height={96} />
      ) : (
        <span class="image-placeholder" aria-hidden="true" />
      )}
      <div>
        <p>
          Image {n}: <span class={`status ${pill}`}>{STATUS_WORDS[image.status]}</span>
          {image.error ? ` ${image.error}` : null}
        </p>
        <form
          class="image-alt"
          onSubmit={(e) => {
            e.preventDefault();
            actions.onAlt(((e.currentTarget as HTMLFormElement).elements.namedItem('alt') as HTMLInputElement).value);
          }}
        >
          <label for={altId}>Alt text for image {n}</label>
          <input id={altId} name="alt" type="text" maxLength={200} defaultValue={image.alt} disabled={!props.live} />
          <button type="submit" class="secondary" disabled={!props.live}>
            Save alt text
          </button>
        </form>
        <div class="image-moves">
          {n > 1 ? (
            <button type="button" class="secondary" data-move={`up-${image.id}`} disabled={!props.live} onClick={() => actions.onMove(-1)}>
              Move image {n} up
            </button>
          ) : null}
          {!props.last ? (
            <button type="button" class="secondary" data-move={`down-${image.id}`} disabled={!props.live} onClick={() => actions.onMove(1)}>
              Move image {n} down
            </button>
          ) : null}
          <button type="button" class="secondary" disabled={!props.live} onClick={actions.onRemove}>
            Remove image {n}
          </button>
        </div>
      </div>
    </li>
  );
}

/**
 * The editor's images: drop files on the zone or choose them ("Add images"); each is uploaded to
 * the API with XMLHttpRequest (its progress shown), then its processing status is polled until
 * the resize job has made it ready. Each image's alt text is edited, its place moved up or down,
 * or it is removed, through the API. Without JavaScript the list shows and the zone says uploading needs it.
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
        if (fresh && !fresh.some((i) => i.status === 'processing')) return setMessage('Every image is processed');
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
  async function patch(image: EditorImage, body: { alt?: string; position?: number }): Promise<boolean> {
    const { data, error } = await api.PATCH('/api/v1/products/{id}/images/{imageId}', {
      params: { path: { id: props.productId, imageId: image.id } },
      body,
    });
    if (!data) {
      setMessage(`Not saved: ${problemOf(error).message}`);
      return false;
    }
    setImages(data.images.map((i) => ({ id: i.id, alt: i.alt, status: i.status, thumb: i.urls?.thumb ?? null, error: i.error })));
    return true;
  }
  async function move(image: EditorImage, n: number, by: -1 | 1) {
    if (!(await patch(image, { position: n - 1 + by }))) return;
    setMessage(`Image ${n} is now image ${n + by}`);
    // Focus stays on the image that moved: its button in the same direction, or the other one at an end.
    requestAnimationFrame(() => {
      const same = document.querySelector<HTMLButtonElement>(`[data-move="${by < 0 ? 'up' : 'down'}-${image.id}"]`);
      (same ?? document.querySelector<HTMLButtonElement>(`[data-move="${by < 0 ? 'down' : 'up'}-${image.id}"]`))?.focus();
    });
  }
  async function saveAlt(image: EditorImage, n: number, alt: string) {
    if (await patch(image, { alt })) setMessage(`Alt text of image ${n} saved`);
  }
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
            <ImageItem
              key={image.id}
              n={i + 1}
              last={i === images.length - 1}
              image={image}
              live={live}
              actions={{
                onRemove: () => void remove(image, i + 1),
                onMove: (by) => void move(image, i + 1, by),
                onAlt: (alt) => void saveAlt(image, i + 1, alt),
              }}
            />
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
