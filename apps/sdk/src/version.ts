/** The SDK's version, written into exported files (producer_version). */
export const SDK_VERSION = '0.1.0';
