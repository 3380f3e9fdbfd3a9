/** The API key a request authenticated with. */
export interface Principal {
  keyId: string;
  name: string;
  admin: boolean;
}
