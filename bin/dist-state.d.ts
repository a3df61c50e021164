/** Types for bin/dist-state.js (plain JavaScript: it runs before anything is compiled). */
export declare const ROOT: string;
export declare const DIST: string;
export declare const STAMP: string;
export declare function distState(root?: string): 'missing' | 'stale' | 'fresh';
