import { generateMultiviewScenes } from './generate';
it('speed', async () => {
  const t = Date.now();
  const r = await generateMultiviewScenes({ out: '/tmp/lrm/mv-speed', count: 300, views: 6, size: 32, seed: 0 });
  console.log(r, Date.now() - t);
});
