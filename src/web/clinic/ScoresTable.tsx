import type { ReactNode } from 'react';
import { Reflow } from '../ui/Reflow.tsx';

interface ScoredRow {
  id: string;
  timepoint: string;
  instrumentId: string;
  inWindow: boolean;
  scores: Record<string, number | null>;
}

/**
 * A joint's answered questionnaires with their scale scores, one row each (cards on a phone).
 * The last column says when: a date for the clinic, months after treatment for a researcher.
 */
export function ScoresTable<R extends ScoredRow>({
  responses,
  timepointLabel,
  instrumentName,
  scalesOf,
  whenHeading,
  when,
}: {
  responses: R[];
  timepointLabel: (tp: string) => string;
  instrumentName: (i: string) => string;
  scalesOf: (i: string) => {
    id: string;
    name: string;
    shortName: string;
    caveat?: { label: string; detail: string } | null;
  }[];
  whenHeading: string;
  /** The last cell's content (before the out-of-window flag is added after it). */
  when: (r: R) => ReactNode;
}) {
  return (
    <Reflow>
      <table className="scores reflow">
        <thead>
          <tr>
            <th scope="col">Time point</th>
            <th scope="col">Questionnaire</th>
            <th scope="col">Scores</th>
            <th scope="col">{whenHeading}</th>
          </tr>
        </thead>
        <tbody>
          {responses.map((r) => (
            <tr key={r.id}>
              <th scope="row">{timepointLabel(r.timepoint)}</th>
              <td data-label="Questionnaire">{instrumentName(r.instrumentId)}</td>
              <td data-label="Scores">
                <div>
                  {scalesOf(r.instrumentId).map((scale) => {
                    const value = r.scores[scale.id];
                    const none = value === null || value === undefined;
                    // A phone's card may wrap "not scorable", never a name from its number.
                    return (
                      <span
                        key={scale.id}
                        className={none ? 'score score-none' : 'score'}
                        title={scale.name}
                      >
                        {scale.shortName} {none ? 'not scorable' : value.toFixed(1)}
                        {scale.caveat && (
                          <span className="caveat" title={scale.caveat.detail}>
                            {' '}
                            ({scale.caveat.label.toLowerCase()})
                          </span>
                        )}
                      </span>
                    );
                  })}
                </div>
              </td>
              <td data-label={whenHeading}>{when(r)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Reflow>
  );
}
