import { useEffect, useState } from 'preact/hooks';
import { api } from '../client/api.ts';
import { pause, uploadImage } from './studio-upload.ts';

type Slot = 'logo' | 'banner';
type Shown = Readonly<{ url: string; alt: string }> | null;
export type ShopImagesProps = Readonly<{ shopName: string; logo: Shown; banner: Shown }>;

const LABEL: Readonly<Record<Slot, string>> = { logo: 'Logo', banner: 'Banner' };
const POLLS = 90;

/** Polls the seller's shop until the slot shows the uploaded image: true once it does. */
async function waitUntilShown(slot: Slot, imageId: string): Promise<Shown | false> {
  for (let i = 0; i < POLLS; i++) {
    await pause(1000);
    const { data } = await api.GET('/api/v1/seller/shop');
    const image = data?.[slot];
    if (image && image.id === imageId) return { url: image.urls.card, alt: image.alt };
  }
  return false;
}

/**
 * The shop's logo or banner: shown as it is, replaced by choosing a file, which is uploaded to the
 * API (uploadShopImage) with its progress, then shown once the resize job has made it ready.
 */
function SlotEditor(props: { slot: Slot; shopName: string; shown: Shown }) {
  const { slot } = props;
  const [shown, setShown] = useState(props.shown);
  const [live, setLive] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [status, setStatus] = useState('');
  useEffect(() => setLive(true), []);
  async function upload(file: File) {
    setProgress(0);
    setStatus('Uploading');
    const sent = await uploadImage('/api/v1/seller/shop/images/{slot}', { slot }, file, setProgress, `${props.shopName} ${slot}`);
    setProgress(null);
    if (!sent.ok) return setStatus(`Not uploaded: ${sent.message}`);
    setStatus('Processing');
    const ready = await waitUntilShown(slot, sent.imageId);
    if (ready) {
      setShown(ready);
      setStatus('Ready');
    } else setStatus('Still processing: reload the page in a while');
  }
  const id = `shop-${slot}`;
  return (
    <div class={`shop-image shop-image-${slot}`}>
      {shown ? <img src={shown.url} alt={shown.alt} class={`shop-image-preview ${slot}`} /> : <p class="hint">No {slot} yet.</p>}
      <div class="field">
        <label for={id}>{LABEL[slot]}</label>
        <span class="hint" id={`${id}-hint`}>
          {live ? 'JPEG, PNG, WebP, AVIF or GIF; uploaded as soon as you choose it.' : 'Uploading needs JavaScript.'}
        </span>
        <input
          id={id}
          type="file"
          accept="image/*"
          disabled={!live}
          aria-describedby={`${id}-hint`}
          onChange={(e) => {
            const file = (e.currentTarget as HTMLInputElement).files?.[0];
            if (file) void upload(file);
          }}
        />
      </div>
      {progress !== null ? (
        <progress max={1} value={progress} aria-label={`${LABEL[slot]} upload`}>
          {Math.round(progress * 100)}%
        </progress>
      ) : null}
      <p role="status" class="upload-status">
        {status}
      </p>
    </div>
  );
}

export default function ShopImages(props: ShopImagesProps) {
  return (
    <div class="shop-images">
      <SlotEditor slot="logo" shopName={props.shopName} shown={props.logo} />
      <SlotEditor slot="banner" shopName={props.shopName} shown={props.banner} />
    </div>
  );
}
