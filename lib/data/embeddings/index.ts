export * from './sparse';
export * from './cooccurrence';
export * from './ppmi';
export * from './svd';
export * from './itemEmbeddings';
