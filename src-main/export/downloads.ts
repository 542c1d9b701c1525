/** Files the web shell offers as downloads (exports): registered when written, fetched by id. */
export interface DownloadEntry {
  file: string;
  fileName: string;
  contentType: string;
}

export class Downloads extends Map<string, DownloadEntry> {}
