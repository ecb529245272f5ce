// The llama.cpp HTTP server, llama-server (github.com/ggml-org/llama.cpp, tools/server).
export const LLAMA_CPP_PRODUCTS = ["llama-cpp"] as const;
