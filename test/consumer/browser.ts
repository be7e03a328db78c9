// A browser project's view (run.js: tsc --noEmit with the DOM lib and bundler resolution, no Node
// types): softmax-simd/js alone, typed.
import { backend, crossEntropyWithGrad, softmax } from 'softmax-simd/js';

const p: Float32Array = softmax(new Float32Array([2, 3, 4]));
const { loss }: { loss: number } = crossEntropyWithGrad(new Float32Array([2, 3, 4]), [2]);
document.title = `${backend.isa}: ${p[2]} ${loss}`;
