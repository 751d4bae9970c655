// Worker entry: expose the typed API with comlink.
import { expose } from 'comlink';
import { api } from './api';

expose(api);
