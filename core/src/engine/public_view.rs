//! The public view of a case, asked of the engine by id.

use crate::case::disclosure::PublicView;
use crate::case::CaseError;
use crate::engine::Engine;

impl Engine {
    /// What may be published about a case (see [`Case::public_view`](crate::Case::public_view)).
    ///
    /// # Errors
    /// `case.not_found`.
    pub fn public_view(&self, case_id: &str) -> Result<PublicView, CaseError> {
        let case = self.case_or_err(case_id)?;
        Ok(case.public_view(self.org.as_deref()))
    }
}
