// One request's life on a page: `data` (`initial` until loaded), `loading`, and
// `error` (an ApiError or Error). `run()` (also `reload()`) loads again; a newer
// run wins over an older one still in flight, so a fast click on another station
// or filter never shows stale rows. With `immediate` the first run starts at once.
import { ref, shallowRef } from 'vue';

export function useLoad(fn, { immediate = false, initial = null } = {}) {
  const data = shallowRef(initial);
  const loading = ref(false);
  const error = shallowRef(null);
  let seq = 0;
  async function run(...args) {
    const mine = ++seq;
    loading.value = true;
    error.value = null;
    try {
      const v = await fn(...args);
      if (mine === seq) data.value = v;
    } catch (e) {
      if (mine === seq) error.value = e;
    } finally {
      if (mine === seq) loading.value = false;
    }
  }
  if (immediate) run();
  return { data, loading, error, run, reload: run };
}
