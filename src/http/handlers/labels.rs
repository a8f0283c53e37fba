use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::conversations::ConversationResponse;
use crate::conversations::{self, ConversationId};
use crate::error::AppResult;
use crate::http::AppState;
use crate::http::errors::{ErrorBody, no_content};
use crate::http::extract::{Body, CurrentAgent, RequireAdmin, SessionAgent};
use crate::labels::{self, Label, LabelId};

#[derive(Serialize, ToSchema)]
pub struct LabelList {
    labels: Vec<Label>,
}

/// Every label.
#[utoipa::path(tag = "labels", responses((status = 200, body = LabelList)), security(("session" = []), ("token" = [])))]
#[get("/labels")]
pub async fn list(state: web::Data<AppState>, _: CurrentAgent) -> AppResult<web::Json<LabelList>> {
    Ok(web::Json(LabelList {
        labels: state.db.read(|c| Ok(labels::all_labels(c)?)).await?,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct LabelBody {
    name: String,
    /// `#rrggbb`; default grey.
    color: Option<String>,
}

/// Create a label.
#[utoipa::path(tag = "labels", request_body = LabelBody,
    responses((status = 201, body = Label), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[post("/labels")]
pub async fn create(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    body: Body<LabelBody>,
) -> AppResult<HttpResponse> {
    let body = body.parse()?;
    let label = labels::create_label(&state.db, admin.0, &body.name, body.color.as_deref()).await?;
    Ok(HttpResponse::Created().json(label))
}

/// Delete a label (it disappears from every conversation).
#[utoipa::path(tag = "labels", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[delete("/labels/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    labels::delete_label(&state.db, admin.0, LabelId(*id)).await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema)]
pub struct ConversationLabelsBody {
    label_ids: Vec<i64>,
}

/// Replace a conversation's labels.
#[utoipa::path(tag = "conversations", params(("id" = i64, Path)), request_body = ConversationLabelsBody,
    responses((status = 200, body = ConversationResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
#[put("/conversations/{id}/labels")]
pub async fn set_on_conversation(
    state: web::Data<AppState>,
    me: SessionAgent,
    id: web::Path<i64>,
    body: Body<ConversationLabelsBody>,
) -> AppResult<web::Json<ConversationResponse>> {
    let body = body.parse()?;
    let ids = body.into_inner().label_ids.into_iter().map(LabelId).collect();
    let conversation =
        conversations::set_labels(&state.db, &state.hub, me.agent_id, ConversationId(*id), ids).await?;
    Ok(web::Json(ConversationResponse::new(conversation)))
}
