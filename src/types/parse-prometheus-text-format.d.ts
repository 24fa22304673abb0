/** The package ships no types: its output, as prom2json writes it. */
declare module 'parse-prometheus-text-format' {
  interface MetricFamily {
    name: string;
    help?: string;
    type?: string;
    metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string> }[];
  }
  export default function parsePrometheusTextFormat(text: string): MetricFamily[];
}
