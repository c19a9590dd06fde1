//! Database URLs: `sqlite:PATH` (the embedded default, `sqlite:./civicflow.db`) and
//! `postgres://…` / `postgresql://…` (libpq's URL form, Unix sockets with `?host=/dir`).

use crate::db::{postgres::Postgres, sqlite::Sqlite, Db};
use crate::error::{Result, StoreError};

/// The database a store runs on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file.
    Sqlite(String),
    /// A PostgreSQL connection string.
    Postgres(String),
}

impl Database {
    /// Reads a database URL.
    ///
    /// # Errors
    /// `store.url` for anything but `sqlite:PATH`, `postgres://` and `postgresql://`.
    pub fn parse(url: &str) -> Result<Database> {
        if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(StoreError::Url(
                    "`sqlite:` needs a file path, as in `sqlite:./civicflow.db`".into(),
                ));
            }
            return Ok(Database::Sqlite(path.to_owned()));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Database::Postgres(url.to_owned()));
        }
        Err(StoreError::Url(format!(
            "`{url}`: expected `sqlite:PATH` or `postgres://USER@HOST/DB`"
        )))
    }

    /// `sqlite` or `postgres`.
    pub fn kind(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => "sqlite",
            Database::Postgres(_) => "postgres",
        }
    }

    pub(crate) fn connect(&self) -> Result<Box<dyn Db>> {
        Ok(match self {
            Database::Sqlite(path) => Box::new(Sqlite::open(path)?),
            Database::Postgres(url) => Box::new(Postgres::open(url)?),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reads_the_two_kinds_and_refuses_others() {
        assert_eq!(
            Database::parse("sqlite:./civicflow.db").unwrap(),
            Database::Sqlite("./civicflow.db".into())
        );
        assert_eq!(
            Database::parse("sqlite:///tmp/a.db").unwrap(),
            Database::Sqlite("/tmp/a.db".into())
        );
        assert!(matches!(
            Database::parse("postgres://u@h/db").unwrap(),
            Database::Postgres(_)
        ));
        for bad in ["", "sqlite:", "mysql://x", "./civicflow.db"] {
            assert_eq!(
                Database::parse(bad).unwrap_err().code(),
                "store.url",
                "{bad}"
            );
        }
    }
}
