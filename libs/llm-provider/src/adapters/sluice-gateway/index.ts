export * from './sluice-gateway-provider';
export * from './sluice-headers';
