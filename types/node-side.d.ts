// Node-side code (tests, rig) sees firmware modules; nothing extra is needed yet.
export {};
