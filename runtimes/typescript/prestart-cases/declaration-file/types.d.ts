declare interface Config { name: string; retries: number }
declare const BUILD: string;
