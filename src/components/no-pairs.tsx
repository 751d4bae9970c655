// The card Review and Judge show when the project has nothing to compare.
import type { ProjectReport } from '../../workers/studio-api';

/** "No pairs to <verb>", with the loader's reason and a way back to the Data page. */
export function NoPairs({ verb, report, onData }: { verb: string; report: Pick<ProjectReport, 'loadError' | 'summary'>; onData: () => void }) {
  return (
    <div className="card empty">
      <h2>No pairs to {verb}</h2>
      <p>{report.loadError ?? `This project (${report.summary.format}) has no chosen/rejected pairs.`}</p>
      <button className="secondary" onClick={onData}>Data page</button>
    </div>
  );
}
