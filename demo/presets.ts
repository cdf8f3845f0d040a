// The worked examples of the two articles the project grew from (shared/seeds), as presets.

export interface Preset {
  id: string;
  title: string;
  /** One line on where the example comes from and what it shows. */
  blurb: string;
  classes: string[];
  /** 'probs': the bars are the probabilities, used as given. 'logits': softmax(logits) on the GPU. */
  mode: 'probs' | 'logits';
  /** Probabilities (mode 'probs') or logits (mode 'logits'). */
  values: number[];
  trueClass: number;
  /** Dragging one bar rescales the others so that the bars keep summing to 1. */
  keepSum: boolean;
  /** The value the article prints, in bits, and which quantity it is. */
  expected: { quantity: 'entropyQ' | 'crossEntropy'; bits: number; digits: number };
}

export const PRESETS: Preset[] = [
  {
    id: 'container1',
    title: 'Container 1',
    blurb: '26 cubes and 4 spheres out of 30: a fairly certain draw, low entropy.',
    classes: ['cube', 'sphere'],
    mode: 'probs',
    values: [26 / 30, 4 / 30],
    trueClass: 0,
    keepSum: true,
    expected: { quantity: 'entropyQ', bits: 0.5665, digits: 4 },
  },
  {
    id: 'container2',
    title: 'Container 2',
    blurb: '14 spheres and 16 cubes out of 30: close to a coin toss, almost 1 bit.',
    classes: ['sphere', 'cube'],
    mode: 'probs',
    values: [14 / 30, 16 / 30],
    trueClass: 1,
    keepSum: true,
    expected: { quantity: 'entropyQ', bits: 0.9968, digits: 4 },
  },
  {
    id: 'container3',
    title: 'Container 3',
    blurb: 'Only spheres: no uncertainty, entropy 0.',
    classes: ['sphere', 'cube'],
    mode: 'probs',
    values: [1, 0],
    trueClass: 0,
    keepSum: true,
    expected: { quantity: 'entropyQ', bits: 0, digits: 4 },
  },
  {
    id: 'forecast',
    title: 'Match forecast',
    blurb: 'England 75 %, India 25 %: sending this forecast costs 0.81 bits on average.',
    classes: ['England', 'India'],
    mode: 'probs',
    values: [0.75, 0.25],
    trueClass: 0,
    keepSum: true,
    expected: { quantity: 'entropyQ', bits: 0.8113, digits: 4 },
  },
  {
    id: 'animals',
    title: 'Cat, dog, horse, fox',
    blurb: 'Prediction [0.4, 0.3, 0.1, 0.1] against cat: 1.32 bits. The probabilities sum to 0.9 and are used as given, not renormalised.',
    classes: ['cat', 'dog', 'horse', 'fox'],
    mode: 'probs',
    values: [0.4, 0.3, 0.1, 0.1],
    trueClass: 0,
    keepSum: false,
    expected: { quantity: 'crossEntropy', bits: 1.32, digits: 2 },
  },
  {
    id: 'vehicles',
    title: 'Car, bike, plane, boat',
    blurb: 'Softmax output [0.775, 0.116, 0.039, 0.070] against car: 0.3677 bits. Drag the logits (the softmax runs on the GPU).',
    classes: ['car', 'bike', 'plane', 'boat'],
    mode: 'logits',
    // Logits whose softmax is the article's output: ln p (the softmax is shift-invariant).
    values: [0.775, 0.116, 0.039, 0.07].map(Math.log),
    trueClass: 0,
    keepSum: true,
    expected: { quantity: 'crossEntropy', bits: 0.3677, digits: 4 },
  },
];
