// The studio's data worker: parsing, validation, simulation and audio decoding off the main
// thread (a dropped 1 GB JSONL must not freeze the page). The API lives in studio-api.ts.
import { expose } from 'comlink';
import { studioApi } from './studio-api';

expose(studioApi);
