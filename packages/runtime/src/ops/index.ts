export { dense } from './dense';
export { multiHeadAttention, type AttentionOptions } from './attention';
