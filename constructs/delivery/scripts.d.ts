/** Shell scripts are imported as their text (esbuild's and jest's text loaders; see scripts/synth.js). */
declare module "*.sh" {
  const text: string;
  export default text;
}
