// n8n, the workflow automation platform (github.com/n8n-io/n8n).
export const N8N_PRODUCTS = ["n8n"] as const;
