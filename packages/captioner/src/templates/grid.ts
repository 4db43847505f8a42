import { centreOf, type ObjectAnnotation } from './annotation';

/** Row and column (0..2) of a box centre in a 3×3 grid over the image. */
export interface GridCell {
  row: 0 | 1 | 2;
  col: 0 | 1 | 2;
}

function third(v: number, extent: number): 0 | 1 | 2 {
  const t = Math.floor((3 * v) / extent);
  return (t <= 0 ? 0 : t >= 2 ? 2 : 1) as 0 | 1 | 2;
}

/** The grid cell of an object: the dataset's `cell` if given, else that of its position (`centre`, else its box centre). */
export function gridCell(o: ObjectAnnotation, width: number, height: number): GridCell {
  if (o.cell) return o.cell;
  const [cx, cy] = centreOf(o);
  return { row: third(cy, height), col: third(cx, width) };
}

const ROWS = ['top', 'middle', 'bottom'] as const;
const COLS = ['left', 'centre', 'right'] as const;

/** "top left", "top", "left", "centre", "bottom right" … */
export function cellName(cell: GridCell): string {
  if (cell.row === 1 && cell.col === 1) return 'centre';
  if (cell.row === 1) return COLS[cell.col];
  if (cell.col === 1) return ROWS[cell.row];
  return `${ROWS[cell.row]} ${COLS[cell.col]}`;
}

/** "in the top left of the image", "in the centre of the image", "on the left of the image". */
export function cellPhrase(cell: GridCell): string {
  const name = cellName(cell);
  if (cell.row === 1 && cell.col !== 1) return `on the ${name} of the image`;
  if (cell.col === 1 && cell.row !== 1) return `at the ${name} of the image`;
  return `in the ${name} of the image`;
}
