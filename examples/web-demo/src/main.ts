// The demo page: load a TIPS model (ONNX files served next to the page) with @tips/sdk on
// onnxruntime-web, take a dropped (or chosen) image, show zero-shot scores for the typed labels and
// the PCA feature map. URLs can be changed with ?vision=…&text=…&tokenizer=….
import { TipsModel, type ImageEmbedding, type LabelScore, type PcaImage } from '@tips/sdk';

interface DemoState {
  model?: TipsModel;
  image?: Blob;
  embedding?: ImageEmbedding;
  scores?: LabelScore[];
  pca?: PcaImage;
  busy: boolean;
  error?: string;
  runs: number;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $<HTMLDivElement>('status');
const drop = $<HTMLDivElement>('drop');
const fileInput = $<HTMLInputElement>('file');
const labelsInput = $<HTMLInputElement>('labels');
const templateInput = $<HTMLInputElement>('template');
const runButton = $<HTMLButtonElement>('run');
const scoresList = $<HTMLOListElement>('scores');
const pcaCanvas = $<HTMLCanvasElement>('pca');

const state: DemoState = { busy: false, runs: 0 };
// For debugging and the end-to-end test.
(window as unknown as { tipsDemo: DemoState }).tipsDemo = state;

function setStatus(text: string, error = false): void {
  status.textContent = text;
  status.classList.toggle('error', error);
  if (error) state.error = text;
}

function labels(): string[] {
  return labelsInput.value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

async function showPreview(image: Blob): Promise<void> {
  const bitmap = await createImageBitmap(image);
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
  bitmap.close();
  drop.replaceChildren(canvas);
}

function drawScores(scores: LabelScore[]): void {
  scoresList.replaceChildren(
    ...scores.map((s) => {
      const li = document.createElement('li');
      li.dataset.label = s.label;
      li.dataset.score = String(s.score);
      li.dataset.similarity = String(s.similarity);
      li.innerHTML = `<div><b></b> — ${(s.score * 100).toFixed(1)}% <small>(cos ${s.similarity.toFixed(3)})</small></div><div class="bar"></div>`;
      li.querySelector('b')!.textContent = s.label;
      (li.querySelector('.bar') as HTMLDivElement).style.width = `${Math.max(1, s.score * 100)}%`;
      return li;
    }),
  );
}

function drawPca(pca: PcaImage): void {
  const small = document.createElement('canvas');
  small.width = pca.width;
  small.height = pca.height;
  small.getContext('2d')!.putImageData(new ImageData(pca.data, pca.width, pca.height), 0, 0);
  const ctx = pcaCanvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, pcaCanvas.width, pcaCanvas.height);
  const scale = Math.min(pcaCanvas.width / pca.width, pcaCanvas.height / pca.height);
  const w = pca.width * scale;
  const h = pca.height * scale;
  ctx.drawImage(small, (pcaCanvas.width - w) / 2, (pcaCanvas.height - h) / 2, w, h);
}

async function classify(): Promise<void> {
  const model = state.model;
  if (!model || !state.image || state.busy) return;
  const names = labels();
  if (names.length === 0) {
    setStatus('Type at least one label.', true);
    return;
  }
  state.busy = true;
  runButton.disabled = true;
  try {
    const t = performance.now();
    state.embedding ??= await model.embedImage(state.image);
    state.scores = await model.zeroShot(state.embedding, names, { template: templateInput.value || '{}' });
    state.pca ??= await model.pcaFeatures(state.embedding);
    drawScores(state.scores);
    drawPca(state.pca);
    state.runs++;
    setStatus(`Done in ${Math.round(performance.now() - t)} ms — ${model.imageSize[0]}×${model.imageSize[1]} input, onnxruntime-web.`);
  } catch (e) {
    setStatus(`Error: ${(e as Error).message}`, true);
  } finally {
    state.busy = false;
    runButton.disabled = false;
  }
}

async function useImage(file: Blob): Promise<void> {
  state.image = file;
  state.embedding = undefined;
  state.pca = undefined;
  await showPreview(file);
  await classify();
}

drop.addEventListener('click', () => fileInput.click());
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const file = e.dataTransfer?.files[0];
  if (file) void useImage(file);
});
fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  if (file) void useImage(file);
});
runButton.addEventListener('click', () => void classify());
labelsInput.addEventListener('keydown', (e) => e.key === 'Enter' && void classify());

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const url = (name: string, fallback: string) => new URL(params.get(name) ?? fallback, location.href).href;
  const threads = globalThis.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
  try {
    const t = performance.now();
    state.model = await TipsModel.load({
      vision: url('vision', 'models/vision.onnx'),
      text: url('text', 'models/text.onnx'),
      tokenizer: url('tokenizer', 'models/tokenizer.model'),
      backend: 'web',
      wasmPaths: new URL('ort/', location.href).href,
      threads,
    });
    runButton.disabled = false;
    setStatus(`Model ready in ${Math.round(performance.now() - t)} ms (${state.model.imageSize[0]}×${state.model.imageSize[1]}, ${threads} wasm thread${threads > 1 ? 's' : ''}). Drop an image.`);
  } catch (e) {
    setStatus(`Could not load the model: ${(e as Error).message}`, true);
  }
}

void main();
