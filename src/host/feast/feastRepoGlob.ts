// Where Feast repositories are looked for: a feature_store.yaml anywhere but in folders of installed
// or generated code. Shared by activation (the view's context key) and the Feature Store view.
export const FEAST_REPO_GLOB = '**/feature_store.yaml';
export const FEAST_REPO_EXCLUDE = '{**/node_modules/**,**/.git/**,**/.venv/**,**/venv/**,**/site-packages/**}';
