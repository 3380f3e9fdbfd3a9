// The API key lives in sessionStorage only: it is gone when the browser tab closes, and no
// page shows it again after sign-in.
const storageKey = 'switchyard.apiKey';

export const readKey = (): string | null => sessionStorage.getItem(storageKey);

export const saveKey = (key: string): void => sessionStorage.setItem(storageKey, key);

export const forgetKey = (): void => sessionStorage.removeItem(storageKey);
