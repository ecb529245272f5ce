// Finds what is installed and configured on this host: global packages, state dirs
// (default, profiles, legacy names, env overrides), service definitions (systemd user and
// system units, launchd plists, compose files that publish the gateway port) and running
// gateway processes. Everything is read-only and bounded; nothing here runs a program.
// The work is done in src/audit/discovery/, one module per job; this is its public API.
export { parseCompose, parsePortSpec } from "./discovery/compose.ts";
export { findInstalls, globalRoots, packageDirFromPath, readPackage } from "./discovery/installs.ts";
export { findProcesses } from "./discovery/processes.ts";
export { parseEnvFile, parseLaunchdPlist, parseSystemdUnit } from "./discovery/service-files.ts";
export { findServices } from "./discovery/services.ts";
export { configPathFor, type DiscoverOptions, type Discovery, discover } from "./discovery/state-dirs.ts";
export { resolveVersion } from "./discovery/versions.ts";
