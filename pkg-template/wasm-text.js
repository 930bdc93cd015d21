// The .wasm as printable ASCII, for the entries that carry it inside their JS (gist_wasm_inline.js, written
// by build.sh's inline_wasm). Every byte value has a code of one or two characters of ALPHABET, the most
// frequent values the one-character codes, and the text opens with which value each code stands for. No
// character is one a bundler or minifier escapes, so what they emit is this text, byte for byte, and a
// byte's code is the same wherever it occurs, so gzip and brotli see the .wasm's own repeats.

/** Printable ASCII but the three quotes, the backslash and `<` (minifiers escape `</script`). */
export const ALPHABET = " !#$%&()*+,-./0123456789:;=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdefghijklmnopqrstuvwxyz{|}~";
/** The number of one-character codes; each of the other characters of ALPHABET starts a two-character code. */
export const SINGLES = ALPHABET.length - 2;
/** The length of the text's head: the byte value of each code, in code order, two hex digits each. */
const HEAD = 512;

/** The bytes of the .wasm from its text. */
export function wasmBytes(text) {
  const chars = new TextEncoder().encode(text); // ASCII: a byte per character
  const values = new Uint8Array(HEAD / 2);
  for (let code = 0; code < values.length; code++) values[code] = parseInt(text.slice(2 * code, 2 * code + 2), 16);
  const index = new Uint8Array(128); // each character's place in ALPHABET
  const single = new Int16Array(128).fill(-1); // the byte value of each one-character code
  for (let i = 0; i < ALPHABET.length; i++) {
    index[ALPHABET.charCodeAt(i)] = i;
    if (i < SINGLES) single[ALPHABET.charCodeAt(i)] = values[i];
  }
  const bytes = new Uint8Array(chars.length - HEAD);
  let length = 0;
  for (let i = HEAD; i < chars.length; i++) {
    const byte = single[chars[i]];
    bytes[length++] = byte >= 0 ? byte : values[SINGLES + (index[chars[i]] - SINGLES) * ALPHABET.length + index[chars[++i]]];
  }
  return bytes.subarray(0, length);
}
