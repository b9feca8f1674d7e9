<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ArtifactBridge</name>
    <message>
        <location filename="../../app/artifact_bridge.py" line="+191"/>
        <source>This artifact has made {count} model calls in this session.</source>
        <translation>此工件在本次会话中已发起 {count} 次模型调用。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This artifact wants to ask the model.</source>
        <translation>此工件想要询问模型。</translation>
    </message>
</context>
<context>
    <name>ArtifactCodePage</name>
    <message>
        <location filename="../../widgets/artifact_code_page.py" line="+27"/>
        <source>Run as new version</source>
        <translation>作为新版本运行</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Discard</source>
        <translation>放弃</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>You edited the code.</source>
        <translation>你修改了代码。</translation>
    </message>
</context>
<context>
    <name>ArtifactPanel</name>
    <message>
        <location filename="../../widgets/artifact_panel.py" line="+64"/>
        <source>&lt;div style=&apos;font-size:15px&apos;&gt;&lt;b&gt;Artifacts appear here&lt;/b&gt;&lt;/div&gt;&lt;div&gt;Ask for a game, a page, a one-page report or a diagram:&lt;br&gt;it runs right here, sandboxed and offline.&lt;/div&gt;</source>
        <translation>&lt;div style=&apos;font-size:15px&apos;&gt;&lt;b&gt;工件会显示在这里&lt;/b&gt;&lt;/div&gt;&lt;div&gt;请模型做一个游戏、一个网页、一页报告或一张图表：&lt;br&gt;它就在这里运行，处于沙盒中且离线。&lt;/div&gt;</translation>
    </message>
</context>
<context>
    <name>ArtifactTab</name>
    <message>
        <location filename="../../widgets/artifact_tab.py" line="+147"/>
        <source>The page crashed ({reason}).</source>
        <translation>页面崩溃了（{reason}）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The page stopped responding.</source>
        <translation>页面停止响应。</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Reload (fresh renderer)</source>
        <translation>重新加载（全新渲染进程）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy code</source>
        <translation>复制代码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open in the system browser</source>
        <translation>在系统浏览器中打开</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Full screen</source>
        <translation>全屏</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save with CDN links (smaller file)…</source>
        <translation>保存并保留 CDN 链接（文件更小）…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Ask before model calls again</source>
        <translation>模型调用前重新询问</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>writing…</source>
        <translation>正在写…</translation>
    </message>
    <message>
        <location line="+14"/>
        <source> · shown when complete</source>
        <translation> · 完成后显示</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../widgets/chat_turn.py" line="+47"/>
        <source>writing… {size}</source>
        <translation>正在写… {size}</translation>
    </message>
    <message>
        <location line="+21"/>
        <location line="+39"/>
        <source> · incomplete</source>
        <translation> · 不完整</translation>
    </message>
    <message>
        <location line="-3"/>
        <source> · large: code shown without colours</source>
        <translation> · 文件较大：代码不着色显示</translation>
    </message>
    <message>
        <location line="+167"/>
        <source>This artifact tried to reach &lt;b&gt;{host}&lt;/b&gt;, which is blocked. &lt;a href=&apos;allow&apos;&gt;Allow network for this artifact&lt;/a&gt;</source>
        <translation>此工件试图访问 &lt;b&gt;{host}&lt;/b&gt;，已被拦截。&lt;a href=&apos;allow&apos;&gt;允许此工件联网&lt;/a&gt;</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&lt;a href=&apos;reload&apos;&gt;Reload&lt;/a&gt;</source>
        <translation>&lt;a href=&apos;reload&apos;&gt;重新加载&lt;/a&gt;</translation>
    </message>
</context>
<context>
    <name>ArtifactToolbar</name>
    <message>
        <location filename="../../widgets/artifact_toolbar.py" line="+33"/>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Changes</source>
        <translation>变更</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Compare versions, restore an older one</source>
        <translation>比较版本，恢复旧版本</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Model calls this artifact made in this session</source>
        <translation>此工件在本次会话中发起的模型调用</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Fix</source>
        <translation>修复</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Send the page&apos;s errors to the model for a fix</source>
        <translation>把页面的错误发给模型修复</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+50"/>
        <source>Console</source>
        <translation>控制台</translation>
    </message>
    <message>
        <location line="-47"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save as one .html file that runs offline (Ctrl+S)</source>
        <translation>保存为可离线运行的单个 .html 文件（Ctrl+S）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Print</source>
        <translation>打印</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Print or save as an A4 PDF (Ctrl+P)</source>
        <translation>打印或保存为 A4 PDF（Ctrl+P）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Publish</source>
        <translation>发布</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Serve this page on this computer, with a QR code</source>
        <translation>在本机提供此页面，并附二维码</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Console ({count})</source>
        <translation>控制台（{count}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Fix {count} error</source>
        <translation>修复 {count} 个错误</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Fix {count} errors</source>
        <translation>修复 {count} 个错误</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Model: {calls} call · {tokens} tokens</source>
        <translation>模型：{calls} 次调用 · {tokens} 个 token</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Model: {calls} calls · {tokens} tokens</source>
        <translation>模型：{calls} 次调用 · {tokens} 个 token</translation>
    </message>
</context>
<context>
    <name>Artifacts</name>
    <message>
        <location filename="../../app/artifacts.py" line="+86"/>
        <source>This reply has more than {limit} artifacts: the first {limit} are in the artifact panel; the rest stay in the reply as text.</source>
        <translation>这条回复包含超过 {limit} 个工件：前 {limit} 个在工件面板中，其余的以文本形式保留在回复里。</translation>
    </message>
</context>
<context>
    <name>AttachmentTray</name>
    <message>
        <location filename="../../widgets/attachment_tray.py" line="+57"/>
        <source>Remove this file</source>
        <translation>移除此文件</translation>
    </message>
    <message>
        <location line="+98"/>
        <source>Attach files</source>
        <translation>添加附件</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>%1 — reading…</source>
        <translation>%1 — 正在读取…</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>A message can carry at most %1 files.</source>
        <translation>一条消息最多只能附带 %1 个文件。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Sending as soon as the files are read…</source>
        <translation>文件读取完毕后立即发送…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 cannot see images: it will be told that %2 was attached, but will not see it.</source>
        <translation>%1 无法识别图片：会告诉它附带了 %2，但它看不到这张图片。</translation>
    </message>
</context>
<context>
    <name>Attachments</name>
    <message>
        <location filename="../../app/attachment_model.py" line="+47"/>
        <source>{name} (PDF, 1 page)</source>
        <translation>{name} (PDF, 1 页)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{name} (PDF, {pages} pages)</source>
        <translation>{name} (PDF, {pages} 页)</translation>
    </message>
    <message>
        <location filename="../../app/attachments.py" line="+36"/>
        <source>{path} does not exist.</source>
        <translation>{path} 不存在。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{path} is not a file.</source>
        <translation>{path} 不是文件。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Easel cannot read {path}: {reason}.</source>
        <translation>Easel 无法读取 {path}：{reason}。</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Easel cannot attach {name}: only images (PNG, JPEG, GIF, WebP), PDFs and text files can be attached.</source>
        <translation>Easel 无法添加 {name}：只能添加图片（PNG、JPEG、GIF、WebP）、PDF 和文本文件。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>A message can carry at most {count} files.</source>
        <translation>一条消息最多只能附带 {count} 个文件。</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>{name} is not an image Easel can read.</source>
        <translation>{name} 不是 Easel 能读取的图片。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{name} is too big to attach ({size} MB; the limit is {limit} MB).</source>
        <translation>{name} 太大，无法添加（{size} MB；上限为 {limit} MB）。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{name} is empty.</source>
        <translation>{name} 是空文件。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{name} is too long to send ({count} characters of text; the limit is {limit}).</source>
        <translation>{name} 太长，无法发送（文本共 {count} 个字符；上限为 {limit}）。</translation>
    </message>
    <message>
        <location filename="../../app/pdf_text.py" line="+28"/>
        <source>{name} is protected by a password, so Easel cannot read it.</source>
        <translation>{name} 受密码保护，Easel 无法读取。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{name} is not a PDF Easel can read ({error}).</source>
        <translation>{name} 不是 Easel 能读取的 PDF（{error}）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{name} has no text to read (a scanned PDF?); attach its pages as images instead.</source>
        <translation>{name} 中没有可读取的文本（可能是扫描版 PDF？）；请改为将其页面作为图片添加。</translation>
    </message>
</context>
<context>
    <name>Chat</name>
    <message>
        <location filename="../../widgets/chat.py" line="+220"/>
        <source>Code from the chat</source>
        <translation>来自对话的代码</translation>
    </message>
    <message>
        <location line="+77"/>
        <source>Easel failed: {error}</source>
        <translation>Easel 出错：{error}</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>{failure}. What arrived is shown above.</source>
        <translation>{failure}。已收到的内容显示在上方。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source> Your message is still in the box below.</source>
        <translation>你的消息仍在下方的输入框中。</translation>
    </message>
    <message>
        <location filename="../../widgets/chat_turn.py" line="+38"/>
        <source>The edit to “{identifier}” could not be applied ({reason}); nothing changed.</source>
        <translation>对“{identifier}”的修改无法应用（{reason}），未做任何更改。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>{reason} Retrying in {seconds} s (attempt {attempt}).</source>
        <translation>{reason} {seconds} 秒后重试（第 {attempt} 次）。</translation>
    </message>
    <message>
        <location line="+107"/>
        <source>{tokens} tokens · {speed} tok/s</source>
        <translation>{tokens} 个 token · {speed} token/秒</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>last reply {speed}</source>
        <translation>上一条回复 {speed}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>streaming · {speed}</source>
        <translation>生成中 · {speed}</translation>
    </message>
</context>
<context>
    <name>ChatUsage</name>
    <message>
        <location filename="../../widgets/chat_usage.py" line="+36"/>
        <source>This conversation: {usage}</source>
        <translation>本对话：{usage}</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../../widgets/composer.py" line="+46"/>
        <source>Ask for anything — “a breakout game”, “a one-page A4 itinerary”…</source>
        <translation>想要什么都可以问——“一个打砖块游戏”、“一页 A4 行程单”……</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>(Enter sends, Shift+Enter for a new line, Esc stops)</source>
        <translation>（Enter 发送，Shift+Enter 换行，Esc 停止）</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+135"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location line="-118"/>
        <source>The model for the next replies (each reply shows its own)</source>
        <translation>接下来回复所用的模型（每条回复会显示各自的模型）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Fetch the provider&apos;s model list again</source>
        <translation>重新获取服务商的模型列表</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Extended thinking</source>
        <translation>深度思考</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Let the model think before it answers (Anthropic)</source>
        <translation>让模型先思考再回答（Anthropic）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Attach</source>
        <translation>附件</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Attach files (or drop them here, or paste an image)</source>
        <translation>添加附件（也可以拖放到这里，或粘贴图片）</translation>
    </message>
    <message>
        <location line="+95"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
</context>
<context>
    <name>ConversationExport</name>
    <message>
        <location filename="../../widgets/conversation_export.py" line="+36"/>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Web page (*.html)</source>
        <translation>网页 (*.html)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Export conversation</source>
        <translation>导出对话</translation>
    </message>
</context>
<context>
    <name>DiffView</name>
    <message>
        <location filename="../../widgets/diff_view.py" line="+61"/>
        <source> · latest</source>
        <translation> · 最新</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>Unified</source>
        <translation>合并视图</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Side by side</source>
        <translation>并排视图</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+142"/>
        <source>Restore this version</source>
        <translation>恢复此版本</translation>
    </message>
    <message>
        <location line="-24"/>
        <source>No versions to compare yet.</source>
        <translation>还没有可比较的版本。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>v{old} and v{new} are the same version.</source>
        <translation>v{old} 和 v{new} 是同一个版本。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>v{old} and v{new} are identical.</source>
        <translation>v{old} 和 v{new} 完全相同。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&lt;br&gt;(only line endings differ)</source>
        <translation>&lt;br&gt;（仅换行符不同）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&lt;b&gt;No differences&lt;/b&gt;</source>
        <translation>&lt;b&gt;没有差异&lt;/b&gt;</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Restore v{version}</source>
        <translation>恢复 v{version}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Make v{version} the newest version again</source>
        <translation>让 v{version} 重新成为最新版本</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This is the newest version</source>
        <translation>这已是最新版本</translation>
    </message>
    <message>
        <location filename="../../widgets/diff_lines.py" line="+31"/>
        <source>1 unchanged line</source>
        <translation>1 行未更改</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{count} unchanged lines</source>
        <translation>{count} 行未更改</translation>
    </message>
</context>
<context>
    <name>EaselApp</name>
    <message>
        <location filename="../../widgets/app.py" line="+387"/>
        <source>Header values moved</source>
        <translation>请求头的值已转移</translation>
    </message>
    <message>
        <location filename="../../widgets/provider_control.py" line="+149"/>
        <source>No provider is set up yet: choose one in Settings → Providers.</source>
        <translation>还没有设置服务商：请在“设置 → 服务商”中选择一个。</translation>
    </message>
    <message>
        <location line="+64"/>
        <source>Connected to {name}, but it does not list “{model}”. It offers {count} models.</source>
        <translation>已连接到 {name}，但它的列表里没有“{model}”。它提供 {count} 个模型。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Connected to {name} ({count} models available).</source>
        <translation>已连接到 {name}（可用模型 {count} 个）。</translation>
    </message>
    <message>
        <location filename="../../widgets/provider_status.py" line="+53"/>
        <source>No provider</source>
        <translation>未设置服务商</translation>
    </message>
    <message>
        <location filename="../../widgets/excepthook.py" line="+28"/>
        <source>Something went wrong</source>
        <translation>出错了</translation>
    </message>
</context>
<context>
    <name>EditBar</name>
    <message>
        <location filename="../../widgets/branch_actions.py" line="+50"/>
        <source>Editing your message: Send makes it a new branch.</source>
        <translation>正在编辑你的消息：发送后将成为一个新分支。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>FindBar</name>
    <message>
        <location filename="../../widgets/find_bar.py" line="+28"/>
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Previous match (Shift+Enter)</source>
        <translation>上一个匹配（Shift+Enter）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Next match (Enter)</source>
        <translation>下一个匹配（Enter）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close (Esc)</source>
        <translation>关闭（Esc）</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>No results</source>
        <translation>无结果</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{current} of {total}</source>
        <translation>第 {current} 个，共 {total} 个</translation>
    </message>
</context>
<context>
    <name>HistoryNotice</name>
    <message>
        <location filename="../../widgets/history_notice.py" line="+27"/>
        <source>History recovered</source>
        <translation>历史记录已恢复</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Keep the recovered history</source>
        <translation>保留恢复的历史记录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start with an empty history</source>
        <translation>从空的历史记录开始</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Easel cannot start</source>
        <translation>Easel 无法启动</translation>
    </message>
</context>
<context>
    <name>HistoryUpkeep</name>
    <message>
        <location filename="../../widgets/history_upkeep.py" line="+58"/>
        <source>Easel found damage in the history database ({finding}). Quit Easel and start it again to recover it: the damaged file will be kept aside and everything that can still be read will be copied into a new one.</source>
        <translation>Easel 发现历史数据库已损坏（{finding}）。请退出 Easel 并重新启动以进行恢复：损坏的文件会被单独保留，所有仍可读取的内容都会复制到新文件中。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>History damaged</source>
        <translation>历史记录已损坏</translation>
    </message>
</context>
<context>
    <name>Language</name>
    <message>
        <location filename="../../widgets/language.py" line="+89"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Easel will speak {language} the next time it starts.</source>
        <translation>Easel 下次启动时将使用 {language}。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
</context>
<context>
    <name>Links</name>
    <message>
        <location filename="../../sandbox/links.py" line="+26"/>
        <source>The artifact</source>
        <translation>该工件</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Open link in your browser?</source>
        <translation>在浏览器中打开链接？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{source} links to this address. Open it in your web browser?</source>
        <translation>{source}链接到这个地址。要在网页浏览器中打开吗？</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Opened {address} in your browser.</source>
        <translation>已在浏览器中打开 {address}。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Could not open the link</source>
        <translation>无法打开链接</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This system has no program set up to open web links, so the address was copied to the clipboard instead: paste it into your browser.</source>
        <translation>此系统没有设置用于打开网页链接的程序，因此已将地址复制到剪贴板：请粘贴到浏览器中打开。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../widgets/main_window.py" line="+103"/>
        <source>&lt;h1&gt;Welcome to Easel&lt;/h1&gt;</source>
        <translation>&lt;h1&gt;欢迎使用 Easel&lt;/h1&gt;</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Connect a model to start. Replies stream into the chat; whatever the model builds — a game, a page, a one-page report — runs beside it.</source>
        <translation>连接一个模型即可开始。回复会实时流入对话；模型做出的东西——游戏、网页、一页报告——就在旁边运行。</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;New chat</source>
        <translation>新对话(&amp;N)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Save artifact as .html…</source>
        <translation>将工件保存为 .html(&amp;S)…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Print artifact (A4)…</source>
        <translation>打印工件（A4）(&amp;P)…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>P&amp;ublish artifact on this computer…</source>
        <translation>在本机发布工件(&amp;U)…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Export conversation as &amp;Markdown…</source>
        <translation>将对话导出为 Markdown(&amp;M)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Export conversation as &amp;HTML…</source>
        <translation>将对话导出为 HTML(&amp;H)…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Show &amp;conversations</source>
        <translation>显示对话列表(&amp;C)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Show &amp;artifacts</source>
        <translation>显示工件(&amp;A)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Providers…</source>
        <translation>服务商(&amp;P)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;System prompt…</source>
        <translation>系统提示词(&amp;S)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Model &amp;prices…</source>
        <translation>模型价格(&amp;R)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Tools and MCP servers…</source>
        <translation>工具与 MCP 服务器(&amp;T)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../widgets/appearance.py" line="+75"/>
        <source>Zoom: %1</source>
        <translation>缩放：%1</translation>
    </message>
    <message>
        <location filename="../../widgets/appearance_menu.py" line="+27"/>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Follow the &amp;system</source>
        <translation>跟随系统(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Light</source>
        <translation>浅色(&amp;L)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Dark</source>
        <translation>深色(&amp;D)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Zoom &amp;in</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Zoom &amp;out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Actual size</source>
        <translation>实际大小(&amp;A)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Search conversations</source>
        <translation>搜索对话(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy last &amp;code block</source>
        <translation>复制最后一个代码块(&amp;C)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <location filename="../../widgets/shortcuts_dialog.py" line="+136"/>
        <source>The last reply has no code block to copy.</source>
        <translation>上一条回复中没有可复制的代码块。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Copied the last code block (%n line(s)).</source>
        <translation>已复制最后一个代码块（%n 行）。</translation>
    </message>
</context>
<context>
    <name>Markdown</name>
    <message>
        <location filename="../../app/markdown.py" line="+472"/>
        <source>code</source>
        <translation>代码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open as artifact</source>
        <translation>作为工件打开</translation>
    </message>
</context>
<context>
    <name>ModelConsentBar</name>
    <message>
        <location filename="../../widgets/model_consent_bar.py" line="+39"/>
        <source>Allow once</source>
        <translation>允许一次</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Always for this artifact</source>
        <translation>此工件始终允许</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Don&apos;t allow</source>
        <translation>不允许</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>{reason} Easel would send this to your current model, and the page gets the answer:</source>
        <translation>{reason}Easel 会把以下内容发送给你当前的模型，并把回答交给页面：</translation>
    </message>
</context>
<context>
    <name>OverflowRow</name>
    <message>
        <location filename="../../widgets/toolbar_overflow.py" line="+45"/>
        <source>More</source>
        <translation>更多</translation>
    </message>
    <message>
        <location line="+136"/>
        <source>Choose</source>
        <translation>选择</translation>
    </message>
</context>
<context>
    <name>PageFiles</name>
    <message>
        <location filename="../../widgets/page_files.py" line="+56"/>
        <source>Save artifact</source>
        <translation>保存工件</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>Web page (*.html)</source>
        <translation>网页（*.html）</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>PDF document, A4 (*.pdf)</source>
        <translation>PDF 文档，A4 (*.pdf)</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Could not save</source>
        <translation>无法保存</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Could not save {name}: {reason}.</source>
        <translation>无法保存 {name}：{reason}。</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Could not open in the browser</source>
        <translation>无法在浏览器中打开</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Could not write a temporary copy: {reason}.</source>
        <translation>无法写入临时副本：{reason}。</translation>
    </message>
</context>
<context>
    <name>PrintDialog</name>
    <message>
        <location filename="../../widgets/print_dialog.py" line="+91"/>
        <source>Print “{title}”</source>
        <translation>打印“{title}”</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Paged</source>
        <translation>分页</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fit to one page</source>
        <translation>缩放到一页</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Snapshot</source>
        <translation>快照</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Portrait</source>
        <translation>纵向</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Landscape</source>
        <translation>横向</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> mm</source>
        <translation> 毫米</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Background colours and images</source>
        <translation>背景颜色和图像</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Layout</source>
        <translation>版式</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Orientation</source>
        <translation>方向</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Margins</source>
        <translation>页边距</translation>
    </message>
    <message>
        <location line="+13"/>
        <location line="+55"/>
        <source>Making the preview…</source>
        <translation>正在生成预览…</translation>
    </message>
    <message>
        <location line="-54"/>
        <source>Save PDF…</source>
        <translation>保存 PDF…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+69"/>
        <source>The artifact was not on screen, so there is no snapshot.</source>
        <translation>工件未显示在屏幕上，因此没有快照。</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>1 page</source>
        <translation>1 页</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{count} pages</source>
        <translation>{count} 页</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Save PDF</source>
        <translation>保存 PDF</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>PDF documents (*.pdf)</source>
        <translation>PDF 文档（*.pdf）</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The PDF was not saved</source>
        <translation>PDF 未保存</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Easel could not write {path}: {reason}.</source>
        <translation>Easel 无法写入 {path}：{reason}。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Saved {name}</source>
        <translation>已保存 {name}</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Nothing was printed</source>
        <translation>未打印任何内容</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Easel could not start the printer.</source>
        <translation>Easel 无法启动打印机。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Sent to the printer</source>
        <translation>已发送到打印机</translation>
    </message>
</context>
<context>
    <name>Printing</name>
    <message>
        <location filename="../../sandbox/printing.py" line="+61"/>
        <source>The artifact&apos;s page has stopped (its renderer ended): reload it and print again.</source>
        <translation>工件的页面已停止（其渲染进程已结束）：请重新加载后再打印。</translation>
    </message>
    <message>
        <location line="+177"/>
        <source>The artifact is not shown, so there is nothing to snapshot.</source>
        <translation>工件未显示，因此没有可拍快照的内容。</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>The page could not be printed (the renderer refused).</source>
        <translation>页面无法打印（渲染进程拒绝了）。</translation>
    </message>
</context>
<context>
    <name>ProviderErrors</name>
    <message>
        <location filename="../../app/providers/errors.py" line="+68"/>
        <source>Check the key in Settings.</source>
        <translation>请在设置中检查密钥。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Check the key in Settings or {variable}.</source>
        <translation>请在设置中或 {variable} 中检查密钥。</translation>
    </message>
    <message>
        <location line="+92"/>
        <source>{name} is limiting requests ({status}){said}</source>
        <translation>{name} 正在限制请求（{status}）{said}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{name} timed out waiting for the request (408).</source>
        <translation>{name} 等待请求超时（408）。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{name} refused the request: the account&apos;s balance is too low (402){said}</source>
        <translation>{name} 拒绝了请求：账户余额不足（402）{said}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source> Top it up or choose another provider.</source>
        <translation>请充值或选择其他服务商。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{name} does not know this model or address (404){said}</source>
        <translation>{name} 不认识这个模型或地址（404）{said}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> Check the model name and the base URL ({url}).</source>
        <translation>请检查模型名称和 Base URL（{url}）。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{name} refused the request ({status}){said}</source>
        <translation>{name} 拒绝了请求（{status}）{said}</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Rate limited: {when}. {text}</source>
        <translation>请求受限：{when}。{text}</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{name} needs an API key ({status}) and none was given.</source>
        <translation>{name} 需要 API 密钥（{status}），但没有提供。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source> It said: {message}</source>
        <translation>它的说明：{message}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{name} rejected the API key ({status}).</source>
        <translation>{name} 拒绝了 API 密钥（{status}）。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>{name} is overloaded ({status}){said}</source>
        <translation>{name} 负载过高（{status}）{said}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{name} had a server error ({status}){said}</source>
        <translation>{name} 发生服务器错误（{status}）{said}</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>{name} is limiting requests{said}</source>
        <translation>{name} 正在限制请求{said}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{name} is overloaded{said}</source>
        <translation>{name} 负载过高{said}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{name} reported an error mid-reply{said}</source>
        <translation>{name} 在回复中途报告了错误{said}</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Connecting to {who} timed out.</source>
        <translation>连接 {who} 超时。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{who} did not answer in time.</source>
        <translation>{who} 未能及时应答。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Could not connect to {who}{said}</source>
        <translation>无法连接到 {who}{said}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The request to {who} failed{said}</source>
        <translation>发往 {who} 的请求失败{said}</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>No data from {who} in time{tail}.</source>
        <translation>{who}{tail}未能及时发来数据。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No data from {who} for {seconds} s{tail}.</source>
        <translation>{who}{tail}已有 {seconds} 秒没有发来数据。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> in the middle of the reply</source>
        <translation>在回复中途</translation>
    </message>
    <message>
        <location line="+18"/>
        <source> to {location}</source>
        <translation>到 {location}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{who} redirected{where} ({status}): check the base URL.</source>
        <translation>{who} 重定向{where}（{status}）：请检查 Base URL。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source> Try again in a moment.</source>
        <translation>请稍后再试。</translation>
    </message>
</context>
<context>
    <name>ProviderForm</name>
    <message>
        <location filename="../../widgets/provider_form.py" line="+56"/>
        <source>Custom (OpenAI-compatible)</source>
        <translation>自定义（兼容 OpenAI）</translation>
    </message>
    <message>
        <location line="+22"/>
        <location line="+77"/>
        <source>Save and start chatting</source>
        <translation>保存并开始对话</translation>
    </message>
    <message>
        <location line="-61"/>
        <source>OpenAI-compatible (/chat/completions)</source>
        <translation>兼容 OpenAI（/chat/completions）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Anthropic Messages (/v1/messages)</source>
        <translation>Anthropic Messages（/v1/messages）</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Keep the key for this session only</source>
        <translation>密钥仅在本次会话中保留</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+181"/>
        <source>Advanced ▸</source>
        <translation>高级 ▸</translation>
    </message>
    <message>
        <location line="-175"/>
        <source>One per line, e.g.  X-Goog-Api-Key: …  or  X-Api-Key: $MY_KEY_VARIABLE</source>
        <translation>每行一个，例如  X-Goog-Api-Key: …  或  X-Api-Key: $MY_KEY_VARIABLE</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Header values are kept in the system keyring, never in the settings file. A saved value shows as an empty “Name:” line: leave it empty to keep it.</source>
        <translation>请求头的值保存在系统密钥环中，绝不写入设置文件。已保存的值显示为空的“名称:”行：保持为空即可保留它。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>A PEM file of extra certificate authorities</source>
        <translation>包含额外证书颁发机构的 PEM 文件</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+2"/>
        <source>the provider&apos;s default</source>
        <translation>服务商默认值</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Extra headers</source>
        <translation>额外请求头</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CA bundle</source>
        <translation>CA 证书包</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+126"/>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <location line="-125"/>
        <location line="+126"/>
        <source>Max tokens</source>
        <translation>最大 token 数</translation>
    </message>
    <message>
        <location line="-119"/>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Provider</source>
        <translation>服务商</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Base URL</source>
        <translation>Base URL</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>API kind</source>
        <translation>API 类型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>&lt;b&gt;Found on this computer&lt;/b&gt; — no key needed</source>
        <translation>&lt;b&gt;在本机上找到&lt;/b&gt;——无需密钥</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Use {name}</source>
        <translation>使用 {name}</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>{label} must be a number such as {example}, or empty for the provider&apos;s default, not “{text}”.</source>
        <translation>{label}必须是数字（例如 {example}），或留空以使用服务商默认值，而不是“{text}”。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Each extra header is one line “Name: value”; “{line}” is not.</source>
        <translation>每个额外请求头占一行，格式为“名称: 值”；“{line}”不符合。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Advanced ▾</source>
        <translation>高级 ▾</translation>
    </message>
    <message>
        <location line="+20"/>
        <source> Or set {variable} and leave this empty.</source>
        <translation>也可以设置 {variable} 并将此处留空。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your {name} API key is kept in the system keyring.</source>
        <translation>你的 {name} API 密钥保存在系统密钥环中。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{name} runs on this computer: no key needed.</source>
        <translation>{name} 运行在本机上：无需密钥。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Leave empty if the server needs no key.</source>
        <translation>如果服务器不需要密钥，请留空。</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Testing…</source>
        <translation>正在测试…</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Save anyway</source>
        <translation>仍然保存</translation>
    </message>
</context>
<context>
    <name>PublishDialog</name>
    <message>
        <location filename="../../widgets/publish_dialog.py" line="+62"/>
        <source>Publish on this computer</source>
        <translation>在本机发布</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stop publishing</source>
        <translation>停止发布</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Let other devices on my network open it</source>
        <translation>允许我网络中的其他设备打开</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Published now:</source>
        <translation>当前已发布：</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>No QR code: this computer has no local network address right now, so other devices cannot reach it.</source>
        <translation>没有二维码：这台电脑目前没有局域网地址，其他设备无法访问。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No QR code yet: this address opens only on this computer. To open the page on a phone, let other devices on your network open it (below); the QR code then shows the network address.</source>
        <translation>暂无二维码：此地址只能在本机打开。要在手机上打开此页面，请允许网络中的其他设备访问（见下方）；二维码随后会显示网络地址。</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Open to your local network?</source>
        <translation>向本地网络开放？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Anyone on the same network (a café&apos;s or hotel&apos;s Wi-Fi included) who gets this link can open the page, and the page&apos;s own code runs in their browser. Only do this on a network you trust, and stop publishing when you are done.</source>
        <translation>同一网络中（包括咖啡馆或酒店的 Wi-Fi）拿到此链接的任何人都能打开这个页面，页面自身的代码会在他们的浏览器中运行。请只在你信任的网络中这样做，用完后停止发布。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Open to the network</source>
        <translation>向网络开放</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>network</source>
        <translation>网络</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>this computer</source>
        <translation>本机</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
</context>
<context>
    <name>QFileDialog</name>
    <message>
        <location filename="../../widgets/qt_catalogue_gaps.py" line="+16"/>
        <source>&amp;Look in:</source>
        <translation>查找范围(&amp;L)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Files of &amp;type:</source>
        <translation>文件类型(&amp;T)：</translation>
    </message>
</context>
<context>
    <name>ReplyOutcome</name>
    <message>
        <location filename="../../widgets/reply_outcome.py" line="+31"/>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The request failed.</source>
        <translation>请求失败。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the reply was interrupted</source>
        <translation>回复被中断</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Incomplete — {reason}</source>
        <translation>不完整——{reason}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The model returned an empty reply.</source>
        <translation>模型返回了空回复。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Cut off at the model&apos;s length limit.</source>
        <translation>已达到模型的长度上限，回复被截断。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>thought {seconds} s</source>
        <translation>思考了 {seconds} 秒</translation>
    </message>
</context>
<context>
    <name>Retry</name>
    <message>
        <location filename="../../app/providers/retry.py" line="+105"/>
        <source>the server asks to wait {duration} (until {clock})</source>
        <translation>服务器要求等待 {duration}（到 {clock}）</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>{count} second</source>
        <translation>{count} 秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{count} seconds</source>
        <translation>{count} 秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{count} minute</source>
        <translation>{count} 分钟</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{count} minutes</source>
        <translation>{count} 分钟</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{count} hour</source>
        <translation>{count} 小时</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{count} hours</source>
        <translation>{count} 小时</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{count} day</source>
        <translation>{count} 天</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{count} days</source>
        <translation>{count} 天</translation>
    </message>
</context>
<context>
    <name>RetryPolicy</name>
    <message>
        <location filename="../../app/retry_policy.py" line="+49"/>
        <source>There is no message of yours in this conversation to answer.</source>
        <translation>本对话中没有你发出的消息可供回答。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>That reply is not part of this conversation.</source>
        <translation>这条回复不属于本对话。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Only a reply of the model can be retried.</source>
        <translation>只有模型的回复才能重试。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>That reply answers no message of yours: send your question again.</source>
        <translation>这条回复没有对应你发出的任何消息：请重新发送你的问题。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>That message is not part of this conversation.</source>
        <translation>这条消息不属于本对话。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Message {id} is not a message of yours: only those can be edited.</source>
        <translation>消息 {id} 不是你发出的：只能编辑你自己的消息。</translation>
    </message>
    <message>
        <location line="-22"/>
        <source>That reply is still being written.</source>
        <translation>这条回复仍在生成中。</translation>
    </message>
</context>
<context>
    <name>SavedNotice</name>
    <message>
        <location filename="../../widgets/file_folders.py" line="+101"/>
        <source>Saved {name}</source>
        <translation>已保存 {name}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show in folder</source>
        <translation>在文件夹中显示</translation>
    </message>
</context>
<context>
    <name>SearchResults</name>
    <message>
        <location filename="../../widgets/search_results.py" line="+36"/>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>No conversations match</source>
        <translation>没有匹配的对话</translation>
    </message>
</context>
<context>
    <name>Secrets</name>
    <message>
        <location filename="../../app/secrets.py" line="+148"/>
        <source>No system keyring (Secret Service) is running, so keys can&apos;t be saved. Set {env}, or use a key for this session only.</source>
        <translation>没有运行系统密钥环（Secret Service），因此无法保存密钥。请设置 {env}，或使用仅限本次会话的密钥。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the provider&apos;s API key environment variable</source>
        <translation>服务商的 API 密钥环境变量</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>The system keyring refused to save the key ({error}); use a key for this session only.</source>
        <translation>系统密钥环拒绝保存密钥（{error}）；请使用仅限本次会话的密钥。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>The system keyring refused to delete the key ({error}).</source>
        <translation>系统密钥环拒绝删除密钥（{error}）。</translation>
    </message>
    <message>
        <location line="+139"/>
        <source>The values of header {names} of “{profile}” were taken out of settings.json and, with no system keyring running, last for this session only: enter them again in Settings → Providers, or write “Name: $VARIABLE” there to take one from the environment.</source>
        <translation>“{profile}”的请求头 {names} 的值已从 settings.json 中移出；由于没有运行系统密钥环，它们只在本次会话中有效：请在“设置 → 服务商”中重新输入，或在那里写“名称: $VARIABLE”以从环境变量读取。</translation>
    </message>
</context>
<context>
    <name>Session</name>
    <message>
        <location filename="../../app/session.py" line="+335"/>
        <source>Easel failed while handling this reply ({error}); what arrived is kept.</source>
        <translation>Easel 处理这条回复时出错（{error}）；已收到的内容已保留。</translation>
    </message>
    <message>
        <location line="+98"/>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>{error} The reply is shown as it arrived, but not all of it is saved.</source>
        <translation>{error} 回复按收到的样子显示，但没有全部保存。</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>{error} Gave up after {attempts} attempts.</source>
        <translation>{error} 尝试 {attempts} 次后已放弃。</translation>
    </message>
</context>
<context>
    <name>SettingsDialogs</name>
    <message>
        <location filename="../../widgets/settings_dialogs.py" line="+59"/>
        <source>Providers</source>
        <translation>服务商</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Use</source>
        <translation>使用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Import keys from the environment</source>
        <translation>从环境变量导入密钥</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Make a provider for each key set in MOONSHOT_API_KEY, DEEPSEEK_API_KEY, OPENAI_API_KEY, OPENROUTER_API_KEY or ANTHROPIC_API_KEY (kept in the keyring)</source>
        <translation>为 MOONSHOT_API_KEY、DEEPSEEK_API_KEY、OPENAI_API_KEY、OPENROUTER_API_KEY 或 ANTHROPIC_API_KEY 中设置的每个密钥创建一个服务商（密钥保存在密钥环中）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Save provider</source>
        <translation>保存服务商</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&lt;b&gt;Saved providers&lt;/b&gt;</source>
        <translation>&lt;b&gt;已保存的服务商&lt;/b&gt;</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>Imported: {names}.</source>
        <translation>已导入：{names}。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No provider key is set in the environment.</source>
        <translation>环境变量中没有设置任何服务商密钥。</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Model prices</source>
        <translation>模型价格</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Input $ / M tokens</source>
        <translation>输入 $ / 百万 token</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Output $ / M tokens</source>
        <translation>输出 $ / 百万 token</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Add a model</source>
        <translation>添加模型</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Prices are yours to enter (providers change them). Leave 0 for free.</source>
        <translation>价格由你自行填写（服务商会调整价格）。免费模型请保留 0。</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>The input price of {name} must be a number of dollars per million tokens, such as 0.6, not “{text}”.</source>
        <translation>{name}的输入价格必须是每百万 token 的美元数（例如 0.6），而不是“{text}”。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The output price of {name} must be a number of dollars per million tokens, such as 0.6, not “{text}”.</source>
        <translation>{name}的输出价格必须是每百万 token 的美元数（例如 0.6），而不是“{text}”。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>row {number}</source>
        <translation>第 {number} 行</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Row {number} has a price but no model name.</source>
        <translation>第 {number} 行有价格但没有模型名称。</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Teach the model to make artifacts (recommended)</source>
        <translation>教模型制作工件（推荐）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Reset to default</source>
        <translation>恢复默认</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <location filename="../../widgets/shortcuts_dialog.py" line="-99"/>
        <source> or </source>
        <translation> 或 </translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Send the message</source>
        <translation>发送消息</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Enter</source>
        <translation>Enter</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>New line in the message</source>
        <translation>在消息中换行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shift+Enter</source>
        <translation>Shift+Enter</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stop the reply (in the message box)</source>
        <translation>停止回复（在消息框中）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Find in the code view</source>
        <translation>在代码视图中查找</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next match</source>
        <translation>下一个匹配项</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Previous match</source>
        <translation>上一个匹配项</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Run the edited code</source>
        <translation>运行修改后的代码</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Leave full screen</source>
        <translation>退出全屏</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
</context>
<context>
    <name>Sidebar</name>
    <message>
        <location filename="../../widgets/sidebar.py" line="+56"/>
        <source>＋  New chat</source>
        <translation>＋  新对话</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Search conversations</source>
        <translation>搜索对话</translation>
    </message>
    <message>
        <location line="+65"/>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Rename conversation</source>
        <translation>重命名对话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Title:</source>
        <translation>标题：</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Delete conversation</source>
        <translation>删除对话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete “{title}” with all its messages and artifacts? This cannot be undone.</source>
        <translation>删除“{title}”及其所有消息和工件？此操作无法撤销。</translation>
    </message>
</context>
<context>
    <name>StoreErrors</name>
    <message>
        <location filename="../../app/store_errors.py" line="+48"/>
        <source>The disk is full: Easel cannot save to {path}. Free some space.</source>
        <translation>磁盘已满：Easel 无法保存到 {path}。请释放一些空间。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The history database {path} is damaged ({error}).</source>
        <translation>历史数据库 {path} 已损坏（{error}）。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Easel cannot write its history at {path} ({error}): make the folder writable, or set EASEL_HOME to a folder you can write to.</source>
        <translation>Easel 无法在 {path} 写入历史记录（{error}）：请让该文件夹可写，或把 EASEL_HOME 设为你可写入的文件夹。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The history database {path} stayed locked by another program for {seconds} s; try again.</source>
        <translation>历史数据库 {path} 被其他程序锁定了 {seconds} 秒；请重试。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The history database {path} failed: {error}.</source>
        <translation>历史数据库 {path} 出错：{error}。</translation>
    </message>
</context>
<context>
    <name>StoreRecovery</name>
    <message>
        <location filename="../../app/store_recovery.py" line="+124"/>
        <source>The history database was damaged ({reason}). Easel kept it as {name} and started with an empty history: nothing could be read from it.</source>
        <translation>历史数据库已损坏（{reason}）。Easel 已将其保留为 {name}，并以空的历史记录启动：其中没有可读取的内容。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The history database was damaged ({reason}). Easel kept it as {name} and recovered {conversations} conversations ({messages} messages) from it {how}.</source>
        <translation>历史数据库已损坏（{reason}）。Easel 已将其保留为 {name}，并{how}从中恢复了 {conversations} 个对话（{messages} 条消息）。</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>with sqlite3&apos;s .recover</source>
        <translation>使用 sqlite3 的 .recover </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>row by row</source>
        <translation>逐行</translation>
    </message>
    <message>
        <location line="+149"/>
        <source>the data folder</source>
        <translation>数据文件夹</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Easel cannot write to {where} ({reason}): make it writable, or set EASEL_HOME to a folder you can write to.</source>
        <translation>Easel 无法写入 {where}（{reason}）：请让它可写，或把 EASEL_HOME 设为你可写入的文件夹。</translation>
    </message>
</context>
<context>
    <name>ToolsDialog</name>
    <message>
        <location filename="../../widgets/tools_dialog.py" line="+55"/>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Program on this computer (stdio)</source>
        <translation>本机程序（stdio）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remote server (Streamable HTTP)</source>
        <translation>远程服务器（Streamable HTTP）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>uvx, npx, or a full path</source>
        <translation>uvx、npx 或完整路径</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>NAME=value, one a line</source>
        <translation>名称=值，每行一个</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Header-Name: value, one a line</source>
        <translation>请求头名称: 值，每行一个</translation>
    </message>
    <message>
        <location line="+5"/>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save server</source>
        <translation>保存服务器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check</source>
        <translation>检查</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Import claude_desktop_config.json…</source>
        <translation>导入 claude_desktop_config.json…</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Run tools marked read-only without asking</source>
        <translation>标记为只读的工具无需询问直接运行</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Offer the built-in fetch_url tool (reads a web page)</source>
        <translation>提供内置的 fetch_url 工具（读取网页）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Offer Kimi its own web search ($web_search)</source>
        <translation>为 Kimi 提供其自带的联网搜索（$web_search）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Revoke</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Command</source>
        <translation>命令</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Arguments</source>
        <translation>参数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Environment</source>
        <translation>环境变量</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Headers</source>
        <translation>请求头</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Timeout</source>
        <translation>超时</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&lt;b&gt;MCP servers&lt;/b&gt; (tick to enable)</source>
        <translation>&lt;b&gt;MCP 服务器&lt;/b&gt;（勾选以启用）</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>&lt;b&gt;Always allowed tools&lt;/b&gt;</source>
        <translation>&lt;b&gt;始终允许的工具&lt;/b&gt;</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>ready with {count} tool</source>
        <translation>就绪，共 {count} 个工具</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ready with {count} tools</source>
        <translation>就绪，共 {count} 个工具</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>not started</source>
        <translation>未启动</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Failed: {error}</source>
        <translation>失败：{error}</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>Give the server a name.</source>
        <translation>请为服务器命名。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>A remote server needs an http:// or https:// URL.</source>
        <translation>远程服务器需要 http:// 或 https:// 开头的 URL。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Header lines</source>
        <translation>请求头各行</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>A program server needs a command (for example uvx or npx).</source>
        <translation>程序服务器需要一个命令（例如 uvx 或 npx）。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The arguments cannot be split: {error}.</source>
        <translation>无法拆分参数：{error}。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Environment lines</source>
        <translation>环境变量各行</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Saved “{name}”.</source>
        <translation>已保存“{name}”。</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Imported {count} server: {names}.</source>
        <translation>已导入 {count} 个服务器：{names}。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Imported {count} servers: {names}.</source>
        <translation>已导入 {count} 个服务器：{names}。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{path} has no servers.</source>
        <translation>{path} 中没有服务器。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Import Claude Desktop servers</source>
        <translation>导入 Claude Desktop 的服务器</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>JSON (*.json)</source>
        <translation>JSON（*.json）</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Enable the server first (tick it in the list).</source>
        <translation>请先启用该服务器（在列表中勾选）。</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>{what} look like NAME{separator}value; {line} does not.</source>
        <translation>{what}的格式应为 名称{separator}值；{line} 不符合。</translation>
    </message>
</context>
<context>
    <name>Transcript</name>
    <message>
        <location filename="../../widgets/transcript.py" line="+84"/>
        <source>The reply</source>
        <translation>这条回复</translation>
    </message>
    <message>
        <location filename="../../widgets/transcript_flow.py" line="+107"/>
        <source>… {count} more characters</source>
        <translation>……还有 {count} 个字符</translation>
    </message>
    <message>
        <location filename="../../widgets/branch_actions.py" line="+49"/>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Previous version</source>
        <translation>上一个版本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next version</source>
        <translation>下一个版本</translation>
    </message>
</context>
<context>
    <name>TranscriptPage</name>
    <message>
        <location filename="../../widgets/transcript_strings.py" line="+18"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Incomplete</source>
        <translation>不完整</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show more</source>
        <translation>展开</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show less</source>
        <translation>收起</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Thinking…</source>
        <translation>思考中…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Thought for a moment</source>
        <translation>思考了片刻</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Thought for {seconds} s</source>
        <translation>思考了 {seconds} 秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{seconds} s</source>
        <translation>{seconds} 秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Document</source>
        <translation>文档</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Diagram</source>
        <translation>图表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Writing…</source>
        <translation>正在写…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Waiting…</source>
        <translation>等待中…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Waiting for your approval</source>
        <translation>等待你的批准</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Running…</source>
        <translation>运行中…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Denied</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Allow once</source>
        <translation>允许一次</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Allow for this conversation</source>
        <translation>在本对话中允许</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Always allow</source>
        <translation>始终允许</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deny</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Arguments</source>
        <translation>参数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Result</source>
        <translation>结果</translation>
    </message>
</context>
<context>
    <name>Usage</name>
    <message>
        <location filename="../../app/usage.py" line="+35"/>
        <source>{input} in · {output} out</source>
        <translation>输入 {input} · 输出 {output}</translation>
    </message>
</context>
<context>
    <name>VersionLabels</name>
    <message>
        <location filename="../../widgets/version_labels.py" line="+17"/>
        <source>Document</source>
        <translation>文档</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Diagram</source>
        <translation>图表</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>written</source>
        <translation>完整编写</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>edited</source>
        <translation>已编辑</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>your edit</source>
        <translation>你的修改</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>fixed</source>
        <translation>已修复</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>restored</source>
        <translation>已恢复</translation>
    </message>
</context>
<context>
    <name>Welcome</name>
    <message>
        <location filename="../../widgets/welcome.py" line="+18"/>
        <source>Create a simple breakout game as a single HTML page</source>
        <translation>做一个简单的打砖块游戏，放在单个 HTML 页面里</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A snake game with a random maze</source>
        <translation>一个带随机迷宫的贪吃蛇游戏</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A two-day itinerary for Hebei with food, lodging and booking links, as one A4 page</source>
        <translation>一份河北两日游行程，包含美食、住宿和预订链接，排成一页 A4</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>What shall we build?</source>
        <translation>我们来做点什么？</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ask for something you can use: it appears beside the chat as a live page you can play with, revise by asking, save as one file and print on A4.</source>
        <translation>提出一个你用得上的东西：它会作为实时页面出现在对话旁边，你可以直接操作、让模型修改、保存为单个文件，还能用 A4 打印。</translation>
    </message>
</context>
</TS>
