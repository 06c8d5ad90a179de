export { default } from './src/database/data-source.js';
