/** The benchmark's chat messages: a mix of the offline model's app kinds, each a whole new app. */
const requests = [
  (i: number) => `Build a todo app called "Errands ${i}" where I can add and remove tasks`,
  (i: number) => `Build a counter app called "Tally ${i}" with a reset button`,
  (i: number) => `Build a small landing page app for bakery number ${i} about bread, cakes and opening hours`,
];

export const jobPrompt = (i: number) => requests[i % requests.length]!(i);
