export * from './tokenizer/index';
export { TokenizerError, TextInputError } from './errors';
