export default 'dflt'; export const named = 'nm';
