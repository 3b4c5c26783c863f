import { sweepReports } from './checkout-sweep.js';

/** `npm run bench:checkout:sweep`: the lane sweep alone (the full `bench:checkout` prints it too). */
console.log(sweepReports());
