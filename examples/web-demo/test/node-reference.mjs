// The demo's computation in Node with @tips/sdk on onnxruntime-node, for the end-to-end test to
// compare the browser against (and a runnable example of the same calls in Node):
//   node test/node-reference.mjs <models dir> <image> "<label, label, …>" "<template>"
import { TipsModel } from '@tips/sdk';

const [models, image, labels, template] = process.argv.slice(2);
const model = await TipsModel.load({
  vision: `${models}/vision.onnx`,
  text: `${models}/text.onnx`,
  tokenizer: `${models}/tokenizer.model`,
  backend: 'node',
});
const embedding = await model.embedImage(image);
const scores = await model.zeroShot(
  embedding,
  labels.split(',').map((s) => s.trim()).filter(Boolean),
  { template },
);
const pca = await model.pcaFeatures(embedding);
process.stdout.write(JSON.stringify({ backend: model.backend, scores, cls1: Array.from(embedding.cls1), pca: { width: pca.width, height: pca.height, data: Array.from(pca.data) } }));
await model.dispose();
