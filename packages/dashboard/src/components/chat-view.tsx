import type { ChatMessage, ChatPart, Conversation } from "../lib/genai";
import { prettyValue } from "../lib/genai";

/** An LLM call as a chat: system, user, assistant and tool messages, then the completion. */
export function ChatView({ conversation }: { conversation: Conversation }) {
  if (conversation.input.length === 0 && conversation.output.length === 0) {
    return <p class="muted">No content was recorded for this call (content capture may be off).</p>;
  }
  return (
    <div class="chat" data-testid="chat">
      <div data-testid="prompt" class="chat">
        {conversation.input.map((message, index) => (
          <Message key={`in-${index}`} message={message} />
        ))}
      </div>
      {conversation.output.length > 0 && <div class="divider-label">Completion</div>}
      <div data-testid="completion" class="chat">
        {conversation.output.map((message, index) => (
          <Message key={`out-${index}`} message={message} />
        ))}
      </div>
    </div>
  );
}

function Message({ message }: { message: ChatMessage }) {
  const role = message.role.toLowerCase();
  return (
    <div class={`message role-${role}`} data-role={role}>
      <div class="message-role">
        {message.role}
        {message.finishReason && <span class="faint">finish: {message.finishReason}</span>}
      </div>
      {message.parts.length === 0 && <div class="message-part faint">(empty)</div>}
      {message.parts.map((part, index) => (
        <Part key={index} part={part} />
      ))}
    </div>
  );
}

function Part({ part }: { part: ChatPart }) {
  switch (part.type) {
    case "text":
      return <div class="message-part">{part.content}</div>;
    case "tool_call":
      return (
        <div class="message-part">
          <div class="tool-call-head">
            → {part.name}
            {part.id ? ` (${part.id})` : ""}
          </div>
          <pre class="block">{prettyValue(part.arguments)}</pre>
        </div>
      );
    case "tool_call_response":
      return (
        <div class="message-part">
          <div class="tool-call-head">← result{part.id ? ` of ${part.id}` : ""}</div>
          <pre class="block">{prettyValue(part.response)}</pre>
        </div>
      );
    default:
      return (
        <div class="message-part">
          <pre class="block">{prettyValue(part.data)}</pre>
        </div>
      );
  }
}
