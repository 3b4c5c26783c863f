// The error table lives in shared/ so the serial bridge and the device definitions throw the same codes.
export * from '../../../shared/src/errors.js';
