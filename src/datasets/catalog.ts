/** What the embedded CSV files do not say about themselves: feature names and provenance. */
export interface DatasetInfo {
  /** Names of the feature columns, in order (scikit-learn's names). */
  featureNames: string[];
  /** Class names for a file without a first line that names them (digits). */
  classNames?: string[];
  /** One line of provenance. */
  description: string;
}

const measures = [
  'radius',
  'texture',
  'perimeter',
  'area',
  'smoothness',
  'compactness',
  'concavity',
  'concave points',
  'symmetry',
  'fractal dimension',
];

/** Metadata of each embedded data set, keyed by its name. */
export const CATALOG = {
  digits: {
    featureNames: Array.from({ length: 64 }, (_, k) => `pixel_${Math.floor(k / 8)}_${k % 8}`),
    classNames: Array.from({ length: 10 }, (_, k) => String(k)),
    description:
      'Optical Recognition of Handwritten Digits, E. Alpaydin, C. Kaynak, 1998 (UCI, CC BY 4.0): 8x8 images, pixels 0..16, digits 0..9',
  },
  iris: {
    featureNames: ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)'],
    description: 'Iris, R. A. Fisher, 1936 (UCI, CC BY 4.0): sepal and petal sizes of three iris species',
  },
  wine: {
    featureNames: [
      'alcohol',
      'malic_acid',
      'ash',
      'alcalinity_of_ash',
      'magnesium',
      'total_phenols',
      'flavanoids',
      'nonflavanoid_phenols',
      'proanthocyanins',
      'color_intensity',
      'hue',
      'od280/od315_of_diluted_wines',
      'proline',
    ],
    description: 'Wine, M. Forina et al., 1991 (UCI, CC BY 4.0): chemical analysis of wines from three cultivars',
  },
  'breast-cancer': {
    featureNames: [
      ...measures.map((m) => `mean ${m}`),
      ...measures.map((m) => `${m} error`),
      ...measures.map((m) => `worst ${m}`),
    ],
    description:
      'Breast Cancer Wisconsin (Diagnostic), W. Wolberg, W. Street, O. Mangasarian, 1995 (UCI, CC BY 4.0): cell-nucleus measures, malignant or benign',
  },
} satisfies Record<string, DatasetInfo>;
