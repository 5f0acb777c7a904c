#pragma once

#include <QString>

#include <optional>
#include <utility>

namespace atelier {

// The outcome of an operation that can fail for ordinary reasons (a missing file, a bad value): either a value
// or a message a user can act on. Qt-side code returns this instead of throwing across signal boundaries.
template <typename T>
class Result
{
public:
    Result(T value) : m_value(std::move(value)) {}
    // `type` is a short, stable name for the kind of failure ("DuplicateModel"), for callers that react to it.
    static Result failure(QString message, QString type = QString())
    {
        Result result;
        result.m_error = std::move(message);
        result.m_errorType = std::move(type);
        return result;
    }
    template <typename U>
    static Result failure(const Result<U> &other)
    {
        return failure(other.error(), other.errorType());
    }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return *m_value; }
    T &value() & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    const T *operator->() const { return &*m_value; }
    T *operator->() { return &*m_value; }
    const QString &error() const { return m_error; }
    const QString &errorType() const { return m_errorType; }

private:
    Result() = default;
    std::optional<T> m_value;
    QString m_error;
    QString m_errorType;
};

template <>
class Result<void>
{
public:
    Result() = default;
    static Result failure(QString message, QString type = QString())
    {
        Result result;
        result.m_failed = true;
        result.m_error = std::move(message);
        result.m_errorType = std::move(type);
        return result;
    }
    template <typename U>
    static Result failure(const Result<U> &other)
    {
        return failure(other.error(), other.errorType());
    }

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const QString &error() const { return m_error; }
    const QString &errorType() const { return m_errorType; }

private:
    bool m_failed = false;
    QString m_error;
    QString m_errorType;
};

using Status = Result<void>;

} // namespace atelier
