import { CaptionAnnotationError } from '../errors';
import type { ImageAnnotation } from './annotation';
import { annotationFromCocoBoxes } from './coco';
import { article, plural } from './english';
import { cellName, gridCell } from './grid';
import { depthRelationOf, directionOf } from './relations';
import { detailedCaption, shortCaption, spatialCaption, templateCaption } from './spatial-captions';

// A 300×300 image: a red cube top left, a blue sphere in the centre and a green cylinder farther
// away, overlapping the sphere (a quarter of its box is behind the sphere's box).
const scene: ImageAnnotation = {
  width: 300,
  height: 300,
  objects: [
    { name: 'sphere', colour: 'blue', bbox: [120, 120, 60, 60], depth: 2 },
    { name: 'cube', colour: 'red', bbox: [10, 10, 60, 60], depth: 3 },
    { name: 'cylinder', colour: 'green', bbox: [150, 150, 60, 60], depth: 5 },
  ],
};

describe('template captions', () => {
  it('short: the objects, grouped and in reading order', () => {
    expect(shortCaption(scene)).toBe('A red cube, a blue sphere and a green cylinder.');
    const twins: ImageAnnotation = {
      width: 100,
      height: 100,
      objects: [
        { name: 'person', bbox: [10, 10, 5, 20] },
        { name: 'person', bbox: [60, 10, 5, 20] },
        { name: 'umbrella', colour: 'orange', bbox: [40, 60, 20, 10] },
      ],
    };
    expect(shortCaption(twins)).toBe('Two people and an orange umbrella.');
  });

  it('detailed: size from the box area and the 3×3 grid cell of each object', () => {
    // Areas: 3600/90000 = 0.04 → medium-sized (between 1/36 and 1/9).
    expect(detailedCaption(scene)).toBe(
      'Three objects: a medium-sized red cube in the top left of the image, a medium-sized blue sphere in the centre of the image and a medium-sized green cylinder in the centre of the image.',
    );
  });

  it('spatial: each object related to the nearest one mentioned before it; occlusion from depth + overlap', () => {
    expect(spatialCaption(scene)).toBe(
      'The medium-sized red cube is in the top left of the image. ' +
        'The medium-sized blue sphere is in the centre of the image, right of the red cube. ' +
        'The medium-sized green cylinder is in the centre of the image, partly hidden behind the blue sphere.',
    );
    // Below the overlap threshold the relation is directional again.
    expect(spatialCaption(scene, { minOverlap: 0.3 })).toContain('The medium-sized green cylinder is in the centre of the image, right of the blue sphere.');
  });

  it('states occlusions given by occludedBy even between objects that are not neighbours in the text', () => {
    const img: ImageAnnotation = {
      width: 90,
      height: 90,
      objects: [
        { name: 'star', colour: 'red', bbox: [0, 0, 20, 20] },
        { name: 'ring', colour: 'blue', bbox: [70, 70, 20, 20], occludedBy: [0] },
        { name: 'cross', colour: 'white', bbox: [40, 0, 10, 10] },
      ],
    };
    const text = spatialCaption(img);
    expect(text).toContain('The blue ring is partly hidden behind the red star.');
  });

  it('disambiguates equal objects by size, then by grid cell', () => {
    const img: ImageAnnotation = {
      width: 300,
      height: 300,
      objects: [
        { name: 'cube', colour: 'red', bbox: [0, 0, 20, 20] },
        { name: 'cube', colour: 'red', bbox: [200, 0, 20, 20] },
        { name: 'cube', colour: 'red', bbox: [100, 200, 150, 90] },
      ],
    };
    const text = spatialCaption(img);
    // Three red cubes; two are small: the grid cell tells those two apart.
    expect(text).toBe(
      'The small red cube is in the top left of the image. ' +
        'The small red cube is in the top right of the image, right of the red cube in the top left. ' +
        'The large red cube is at the bottom of the image, below the red cube in the top right.',
    );
  });

  it('relations follow the dominant axis; image y grows downwards', () => {
    const a = { name: 'a', bbox: [0, 0, 10, 10] as const };
    const b = { name: 'b', bbox: [30, 5, 10, 10] as const };
    const c = { name: 'c', bbox: [2, 40, 10, 10] as const };
    expect(directionOf(a, b)).toBe('left of');
    expect(directionOf(b, a)).toBe('right of');
    expect(directionOf(a, c)).toBe('above');
    expect(directionOf(c, a)).toBe('below');
    expect(depthRelationOf(scene.objects[2]!, scene.objects[0]!, scene.objects)).toBe('partly hidden behind');
    expect(depthRelationOf(scene.objects[0]!, scene.objects[2]!, scene.objects)).toBe('in front of');
    expect(depthRelationOf(scene.objects[1]!, scene.objects[0]!, scene.objects)).toBeUndefined();
    expect(cellName(gridCell({ name: 'x', bbox: [0, 0, 1, 1], centre: [299, 150] }, 300, 300))).toBe('right');
  });

  it('reads COCO-style boxes with category ids, skipping crowd regions', () => {
    const ann = annotationFromCocoBoxes(
      { width: 640, height: 480 },
      [
        { bbox: [10, 200, 100, 250], category_id: 1 },
        { bbox: [500, 300, 120, 100], category_id: 18 },
        { bbox: [0, 0, 640, 480], category_id: 1, iscrowd: 1 },
      ],
      [
        { id: 1, name: 'person' },
        { id: 18, name: 'dog' },
      ],
    );
    expect(ann.objects.map((o) => o.name)).toEqual(['person', 'dog']);
    expect(templateCaption(ann, 'short')).toBe('A person and a dog.');
    // person: centre (60, 325) → bottom left, area 0.081 of the image → medium-sized; dog: centre (560, 350) → bottom right.
    expect(templateCaption(ann, 'spatial')).toBe(
      'The medium-sized person is in the bottom left of the image. The medium-sized dog is in the bottom right of the image, right of the person.',
    );
    expect(() => annotationFromCocoBoxes({ width: 1, height: 1 }, [{ bbox: [0, 0, 1, 1], category_id: 7 }])).toThrow(CaptionAnnotationError);
  });

  it('rejects annotations it cannot caption, naming the object', () => {
    expect(() => templateCaption({ width: 10, height: 10, objects: [] }, 'short')).toThrow(/no annotated objects/);
    expect(() => templateCaption({ width: 10, height: 10, objects: [{ name: 'cup', bbox: [0, 0, 0, 5] }] }, 'short')).toThrow(/cup.*bbox/);
    expect(() => templateCaption({ width: 0, height: 10, objects: [{ name: 'cup', bbox: [0, 0, 1, 5] }] }, 'short')).toThrow(CaptionAnnotationError);
  });

  it('English helpers', () => {
    expect(['person', 'bus', 'knife', 'strawberry', 'traffic light', 'sheep', 'box', 'toothbrush'].map(plural)).toEqual([
      'people',
      'buses',
      'knives',
      'strawberries',
      'traffic lights',
      'sheep',
      'boxes',
      'toothbrushes',
    ]);
    expect(['orange', 'red', 'umbrella', 'unicorn', 'hour'].map(article)).toEqual(['an', 'a', 'an', 'a', 'an']);
  });
});
