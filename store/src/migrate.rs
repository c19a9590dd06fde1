//! Numbered migrations, run on start: each in one transaction with its number recorded, so a
//! server killed half-way runs it again whole; several servers starting at once on PostgreSQL
//! take turns.

use crate::db::Db;
use crate::error::Result;
use crate::url::Database;

const SQLITE: &[(i64, &str)] = &[(1, include_str!("../migrations/sqlite/0001_init.sql"))];
const POSTGRES: &[(i64, &str)] = &[(1, include_str!("../migrations/postgres/0001_init.sql"))];

/// Runs the migrations the database has not run; answers how many ran.
pub(crate) fn migrate(db: &mut dyn Db, database: &Database) -> Result<usize> {
    let done = db.migrations()?;
    let all = match database {
        Database::Sqlite(_) => SQLITE,
        Database::Postgres(_) => POSTGRES,
    };
    let mut ran = 0;
    for (number, script) in all {
        if !done.contains(number) {
            db.migrate(*number, script)?;
            ran += 1;
        }
    }
    Ok(ran)
}

/// The newest migration number this build knows.
pub const SCHEMA_VERSION: i64 = 1;
