/**
 * StemTrack's English catalogue: every string a patient reads (survey, its errors, e-mails,
 * texts, the paper form), as ICU MessageFormat. Other languages give the same keys; `en-XA` is
 * generated from it.
 * Keys name where a string is used; `{joint}` is a joint phrase such as "your right knee";
 * `{stop}` is the carrier's opt-out keyword, which stays STOP in every language.
 */
export const EN = {
  'survey.loading': 'Loading your survey…',
  'survey.closed.title': 'This link is closed',
  'survey.error.title': 'We could not open this survey',
  'survey.error.notFound':
    'This survey link is not valid. Please check the link in your e-mail, or ask your clinic for a new one.',
  'survey.error.closed':
    'This survey is closed or has already been sent. Thank you. Ask your clinic if you need a new link.',
  'survey.error.network': 'We cannot reach your clinic. Check your connection and try again.',
  'survey.error.send': 'Your answers could not be sent. Please try again in a moment.',
  'survey.error.invalid': 'Some answers could not be accepted. Please check them and send again.',
  'survey.intro.title':
    '{timepoint, select, baseline {Your baseline check-in} w6 {Your 6 weeks check-in} m3 {Your 3 months check-in} m6 {Your 6 months check-in} m12 {Your 12 months check-in} m24 {Your 24 months check-in} m36 {Your 3 years check-in} m48 {Your 4 years check-in} m60 {Your 5 years check-in} other {Your check-in}}',
  'survey.intro.body':
    '{count, plural, one {# short question} other {# short questions}} about {joint}, about {minutes, plural, one {# minute} other {# minutes}}. Your answers are saved as you go: you can stop and come back with the same link.',
  'survey.intro.progress': 'You have answered {answered} of {total} so far.',
  'tablet.note':
    'This tablet shows only your questionnaire. It locks itself after {minutes, plural, one {# minute} other {# minutes}} without a touch; if it locks, the staff can open it again for you. Hand it back to the staff when you are done.',
  'tablet.locked.title': 'This tablet is locked',
  'tablet.locked.done': 'Thank you: your answers have been sent to your clinic.',
  'tablet.locked.idle':
    'It locked itself because it was not used for a while. Your answers so far are saved.',
  'tablet.locked.handBack': 'Please hand the tablet back to the clinic staff.',
  'tablet.locked.staffSignIn': 'Staff: sign in',
  'paper.title':
    'Questionnaire about {joint}: {timepoint, select, baseline {baseline} w6 {6 weeks} m3 {3 months} m6 {6 months} m12 {12 months} m24 {24 months} m36 {3 years} m48 {4 years} m60 {5 years} other {follow-up}}',
  'paper.subject': 'Questionnaire about how your treated joint is doing: {instruments}',
  'paper.patientNumber': 'Patient number {registryId}',
  'paper.answerBetween': 'Please answer between {opens} and {closes}.',
  'paper.formCode': 'Form code: {code}',
  'paper.howToAnswer':
    'Please tick one box for each of the {count, plural, one {# question} other {# questions}}, then return this form to the clinic. You may instead scan the square code with your phone’s camera and answer online: answer only one way.',
  'paper.footer': 'Form {code} · Page {page} of {pages}',
  'survey.start': 'Start',
  'survey.continue': 'Continue',
  'survey.back': 'Back',
  'survey.next': 'Next',
  'survey.reviewAnswers': 'Review answers',
  'survey.skip': 'Skip this question',
  'survey.questionOf': 'Question {index} of {total}',
  'survey.save.saving': 'Saving…',
  'survey.save.saved': 'Saved',
  'survey.save.failed': 'Not saved yet: check your connection',
  'survey.review.title': 'Ready to send?',
  'survey.review.answered':
    'You answered {answered} of {total, plural, one {# question} other {# questions}}.',
  'survey.review.missing': 'Unanswered questions (you may leave them out, but every answer helps):',
  'survey.review.send': 'Send my answers',
  'survey.review.sending': 'Sending…',
  'survey.events.legend': 'Since your treatment, has any of this happened? (optional)',
  'survey.events.when': 'When?',
  'survey.event.reinjection': 'Another injection in the same joint',
  'survey.event.arthroplasty': 'Joint replacement surgery',
  'survey.event.returned-to-activities': 'Back to my usual activities',
  'survey.event.returned-to-work': 'Back to work',
  'survey.done.title': 'Thank you',
  'survey.done.body': 'Your answers have been sent to your clinic. You can close this page.',
  'survey.done.charts':
    'Your scores so far, against where you started. A change on one day can be chance; your clinic looks at the whole line with you. Where published studies give one, a green line marks the smallest improvement from your start that patients called important: a guide, not a target.',
  'chart.overTime': 'Your {title} over time',
  'chart.scored':
    'Scored {low} to {high}: {higherIsBetter, select, true {higher} other {lower}} is better.',
  'chart.monthsAxis': 'Months after treatment',
  'chart.key.scores': 'Your scores',
  'chart.key.start': 'Where you started',
  'chart.key.mcid': 'Smallest important improvement',
  'chart.latest': '{when}: {value}, against {baseline} when you started.',
  'joint.phrase':
    '{side, select, left {your left {joint}} right {your right {joint}} other {your {joint}}}',
  'joint.any': 'your joint',
  'joint.knee': 'knee',
  'joint.hip': 'hip',
  'joint.shoulder': 'shoulder',
  'joint.ankle': 'ankle',
  'joint.hand': 'hand',
  'timepoint.baseline': 'Baseline',
  'timepoint.w6': '6 weeks',
  'timepoint.m3': '3 months',
  'timepoint.m6': '6 months',
  'timepoint.m12': '12 months',
  'timepoint.m24': '24 months',
  'timepoint.m36': '3 years',
  'timepoint.m48': '4 years',
  'timepoint.m60': '5 years',
  'heading.pain': 'Pain in {joint}',
  'heading.painDuringActivities': 'Pain in {joint} during activities',
  'heading.symptoms': 'Symptoms in {joint}',
  'heading.stiffness': 'Stiffness in {joint}',
  'heading.dailyLiving': 'Everyday activities',
  'heading.sport': 'Sport and more active pastimes',
  'heading.qol': 'How {joint} affects your life',
  'heading.general': 'Your health in general',
  'heading.past7days': 'Your past 7 days',
  'heading.patientGlobal': 'How you are doing overall',
  'heading.satisfaction': 'The result of your treatment',
  'heading.work': 'Your work',
  'scale.kneePain': 'Knee pain',
  'scale.kneeSymptoms': 'Knee symptoms',
  'scale.hipPain': 'Hip pain',
  'scale.hipSymptoms': 'Hip symptoms',
  'scale.adl': 'Everyday activities',
  'scale.sport': 'Sport and active pastimes',
  'scale.qol': 'Quality of life',
  'scale.kneeSummary': 'Overall knee score',
  'scale.kneeHealth': 'Knee health',
  'scale.hipHealth': 'Hip health',
  'scale.painRating': 'Pain rating',
  'scale.physical': 'Physical health',
  'scale.mental': 'Mental health',
  'scale.patientGlobal': 'How you are doing overall',
  'scale.satisfaction': 'Satisfaction with the result',
  'unsubscribe.title': 'Stop questionnaire e-mails',
  'unsubscribe.body':
    'Your clinic will no longer e-mail you questionnaires. You can still answer any link you already have.',
  'unsubscribe.button': 'Stop the e-mails',
  'unsubscribe.invalid':
    'This link is not valid. Please use the link in your latest e-mail, or ask your clinic to stop the e-mails.',
  'unsubscribe.failed': 'The e-mails could not be stopped just now. Please try again in a moment.',
  'unsubscribe.done': 'Done: your clinic will send you no more questionnaire e-mails.',
  'evidence.title': 'Stem cell injections for joint pain: what the evidence says',
  'evidence.documentTitle': 'Stem cell injections for joint pain: the evidence · StemTrack',
  'evidence.loading': 'Loading…',
  'evidence.failed': 'The evidence could not be loaded. Please try again in a moment.',
  'evidence.intro':
    "This page is for patients and anyone deciding about a treatment. Every number on it comes from StemTrack's evidence engine and names the study or review it was read from.",
  'evidence.what.title': 'What the treatment is',
  'evidence.what.body':
    "Cells are taken from a person's bone marrow or fat (or from donated umbilical cord tissue), sometimes grown in a laboratory, and injected into the painful joint, most often the knee with osteoarthritis. Some clinics inject a concentrate of bone marrow (BMAC) or fat tissue (SVF) without growing the cells. The hope is less pain and better function; whether the cells rebuild cartilage is not established.",
  'evidence.trials.title': 'What randomised trials show',
  'evidence.trials.body':
    'In a randomised trial, patients are allotted by chance to cells or to a comparison injection, so a difference between the groups can be put down to the treatment. A 95% confidence interval (CI) is the range the true difference plausibly lies in.',
  'evidence.signs.label': 'How to read the signs:',
  'evidence.signs.body':
    'on this page a negative pain number always means less pain: a difference below 0 means less pain with cells than with the comparison, and a change below 0 means less pain than before the injection.',
  'evidence.noPooling':
    "StemTrack does not yet hold enough trial arm data (means, SDs and group sizes at the same time point) to pool the trials itself; the figures above are the published reviews' own.",
  'evidence.placebo.title': 'How much pain improves with a placebo',
  'evidence.placebo.body':
    "People given a salt-water (saline) injection in trials also report less pain. A clinic's before-and-after results therefore include this placebo response and cannot by themselves show that a treatment works.",
  'evidence.harms.title': 'Known harms',
  'evidence.harms.body':
    'Risk ratios above 1 mean more adverse events with cells than with the comparison. Harvesting bone marrow or fat is itself a procedure with pain and bruising, and the FDA reports infections and other serious harms after unapproved cell products (see Regulatory status).',
  'evidence.rules.title': 'Regulatory status',
  'evidence.find.title': 'How to find a registered trial',
  'evidence.find.body':
    "If you want cell therapy, the safest route is a registered clinical trial: it has ethics approval, regulator oversight and should not charge you for the experimental treatment. Search these registries and ask the clinic for the trial's registration number.",
  'evidence.sources.title': "Trials in StemTrack's dataset",
  'evidence.col.trial': 'Trial',
  'evidence.col.products': 'Products',
  'evidence.col.outcomes': 'Outcomes',
  'evidence.col.source': 'Source',
  'evidence.partlyVerified': '(partly verified)',
  'evidence.source': 'Source:',
  'evidence.read': '(read {date}).',
  'email.invitation.subject': '{clinicName}: your {timepointLabel} questionnaire',
  'email.invitation.body':
    'Hello,\n\n{clinicName} asks how your treated joint is doing. Your {timepointLabel} questionnaire is due on {dueDate} and takes about 10 minutes:\n\n{link}\n\nYou can stop and come back later with the same link; it works until {closesOn}.\n\nTo stop receiving these e-mails: {unsubscribeLink}',
  'email.reminder.subject': 'Reminder from {clinicName}: {timepointLabel} questionnaire',
  'email.reminder.body':
    'Hello,\n\nA reminder that your {timepointLabel} questionnaire for {clinicName} is still open until {closesOn}:\n\n{link}\n\nIf you have already answered, thank you, and please ignore this message.\n\nTo stop receiving these e-mails: {unsubscribeLink}',
  'sms.invitation':
    '{clinicName} asks you to answer a short questionnaire: {link} Reply {stop} to stop these texts.',
  'sms.reminder':
    'A reminder from {clinicName}: your questionnaire is still open: {link} Reply {stop} to stop these texts.',
} as const;

export type MessageKey = keyof typeof EN;
/** A language's messages: every key of the English catalogue. */
export type Catalogue = Record<MessageKey, string>;
