/**
 * The theme, tuned so every text meets WCAG AA contrast (4.5:1; 3:1 for large text) in light and
 * dark, as the views end-to-end test checks with axe-core:
 * - filled buttons and badges pick black or white text by the background's luminance
 *   (autoContrast; at 0.179 either choice gives at least 4.58:1);
 * - "light" badges and alerts, coloured text, links and dimmed text use darker shades on light
 *   backgrounds and lighter ones on dark backgrounds than Mantine's defaults.
 */
import { createTheme, darken, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'indigo',
  defaultRadius: 'md',
  autoContrast: true,
  luminanceThreshold: 0.179,
});

export const cssVariablesResolver: CSSVariablesResolver = (t) => {
  const light: Record<string, string> = {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-anchor': 'var(--mantine-color-indigo-9)',
  };
  const dark: Record<string, string> = {
    '--mantine-color-dimmed': 'var(--mantine-color-dark-1)',
    '--mantine-color-anchor': 'var(--mantine-color-indigo-3)',
  };
  for (const [name, shades] of Object.entries(t.colors) as [string, MantineColorsTuple][]) {
    if (name === 'dark' || name === 'gray') continue;
    light[`--mantine-color-${name}-light`] = shades[0];
    light[`--mantine-color-${name}-light-color`] = darken(shades[9], 0.3);
    light[`--mantine-color-${name}-text`] = darken(shades[9], 0.2);
    light[`--mantine-color-${name}-outline`] = darken(shades[9], 0.2);
    // Filled backgrounds keep the light scheme's shade, so the text colour autoContrast chose for
    // it (from that shade) holds in dark too.
    dark[`--mantine-color-${name}-filled`] = shades[6];
    dark[`--mantine-color-${name}-filled-hover`] = shades[7];
    dark[`--mantine-color-${name}-light-color`] = shades[1];
    dark[`--mantine-color-${name}-text`] = shades[3];
    dark[`--mantine-color-${name}-outline`] = shades[3];
  }
  return { variables: {}, light, dark };
};
