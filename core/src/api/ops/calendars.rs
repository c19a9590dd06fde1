//! Ops: calendars.

use crate::api::*;
use crate::engine::Engine;

/// Load or replace a business calendar.
pub(super) fn load_calendar(
    engine: &mut Engine,
    CalendarRequest { calendar }: CalendarRequest,
) -> Outcome {
    let def = parse_document::<CalendarDef>(calendar, "/calendar").map_err(|e| vec![e])?;
    let cal = engine
        .load_calendar(def)
        .map_err(|e| e.details("/calendar"))?;
    let (from, to) = cal.years();
    Ok(to_json(&answer::CalendarLoaded {
        id: cal.id().to_owned(),
        years: YearRange { from, to },
    }))
}

/// A deadline on a calendar: an instant plus a duration.
pub(super) fn calendar_add(
    engine: &mut Engine,
    CalendarAddRequest {
        calendar,
        at,
        duration,
    }: CalendarAddRequest,
) -> Outcome {
    let cal = engine
        .calendar_or_err(&calendar)
        .map_err(|e| vec![e.detail("/calendar")])?;
    let d = duration
        .duration()
        .map_err(|reason| vec![duration_error(reason)])?;
    let r = cal.add(at, d).map_err(|e| vec![e.detail("/at")])?;
    let local = cal.local_string(r.at).map_err(|e| vec![e.detail("/at")])?;
    Ok(to_json(&answer::Deadline {
        at: r.at,
        local,
        provisional: r.provisional,
        basis: d.basis().to_owned(),
    }))
}

/// The year a notice sets; with `calendar`, that calendar's document with the year in it,
/// checked to load as it is (with the calendar it extends).
pub(super) fn calendar_from_notice(
    engine: &mut Engine,
    NoticeRequest {
        text,
        year,
        calendar,
    }: NoticeRequest,
) -> Outcome {
    let notice = crate::calendar::notice::read_notice(&text, year).map_err(|e| e.details(""))?;
    let calendar = match calendar {
        None => None,
        Some(id) => {
            let current = engine
                .calendar_or_err(&id)
                .map_err(|e| vec![e.detail("/calendar")])?;
            let merged = notice
                .merged_into(current.definition())
                .map_err(|e| vec![e.detail("/calendar")])?;
            let base = match merged.extends.as_deref() {
                Some(base) => Some(
                    engine
                        .calendar_or_err(base)
                        .map_err(|e| vec![e.detail("/calendar")])?,
                ),
                None => None,
            };
            crate::calendar::Calendar::compile(merged.clone(), base.map(|b| &**b))
                .map_err(|e| e.details(""))?;
            Some(merged)
        }
    };
    Ok(to_json(&answer::NoticeRead { notice, calendar }))
}

/// Working and elapsed time between two instants on a calendar.
pub(super) fn calendar_between(
    engine: &mut Engine,
    CalendarBetweenRequest { calendar, from, to }: CalendarBetweenRequest,
) -> Outcome {
    let cal = engine
        .calendar_or_err(&calendar)
        .map_err(|e| vec![e.detail("/calendar")])?;
    let b = cal.between(from, to).map_err(|e| vec![e.detail("")])?;
    Ok(to_json(&b))
}
