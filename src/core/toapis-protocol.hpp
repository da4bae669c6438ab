// Tolerant parsing of every ToAPIs response and error envelope (reference §2–§5, §9), plus Ark's shapes where
// they differ. Never throws: anything unexpected becomes a typed Error that says what to do.
#pragma once

#include "expected.hpp"
#include "http-client.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace seedance::core {

enum class Operation { Upload, Create, Query, Download, Models };

enum class TaskState { Waiting, Succeeded, Failed };

struct TaskSnapshot {
	std::string id;
	TaskState state = TaskState::Waiting;
	std::string status;          // the raw status value as sent
	std::optional<int> progress; // 0–100 when reported
	std::optional<std::int64_t> createdAt;
	std::optional<std::int64_t> completedAt;
	std::optional<std::int64_t> expiresAt; // when the result URL stops working (Unix seconds)
	std::string videoUrl;
	std::string lastFrameUrl;
	Error failure; // set when state == Failed
};

struct UploadResult {
	std::string id;
	std::string url;
	std::string mimeType;
	std::int64_t size = 0;
};

// Status vocabulary: waiting (queued/submitted/pending/in_progress/running and anything unknown, which is logged
// once), success (completed/succeeded/success), failure (failed/failure/expired/cancelled).
TaskState classifyStatus(const std::string &status);

Result<UploadResult> parseUploadResponse(const HttpResponse &response);
// For both the create response and the query response.
Result<TaskSnapshot> parseTaskResponse(const HttpResponse &response, Operation operation);
Result<std::vector<std::string>> parseModelsResponse(const HttpResponse &response);

// The Error for a response that failed (transport error or non-2xx), whatever its envelope.
Error errorFromResponse(const HttpResponse &response, Operation operation);

// Whether JSON text nests deeper than `limit` (checked before parsing untrusted bodies).
bool jsonTooDeep(const std::string &text, int limit = 64);

} // namespace seedance::core
