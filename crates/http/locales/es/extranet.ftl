# Páginas de Portico para proveedores, español: inicio de sesión, contraseña, sus solicitudes y
# la página de un expediente. Cada clave está en cada idioma.

signin-title = Iniciar sesión en Portico
signin-with = Iniciar sesión con { $provider }
signin-sso-hint = El personal de la empresa inicia sesión ahí. Los proveedores, los contratistas y el administrador usan un nombre de usuario y una contraseña:
signin-username = Nombre de usuario
signin-password = Contraseña
signin-submit = Iniciar sesión
signin-new-here = ¿Es su primera vez? Use el enlace de su correo de invitación para establecer una contraseña.
signin-forgot = ¿Ha olvidado su contraseña? Solicite un nuevo enlace
signin-wrong = El nombre de usuario o la contraseña no son correctos, o la cuenta no está activa.
signed-out-title = Sesión cerrada
signed-out-text = Ha cerrado la sesión en Portico. Es posible que siga con la sesión iniciada en { $provider }.
signed-out-provider = Cerrar también la sesión en { $provider }
signin-again = Volver a iniciar sesión

setpw-title = Establecer su contraseña
setpw-intro = Elija la contraseña de su cuenta de Portico. El enlace solo funciona una vez.
setpw-repeat = Repita la contraseña
setpw-submit = Establecer contraseña
setpw-differ = Las dos contraseñas no coinciden.
setpw-done-title = Su contraseña está establecida
setpw-done-text = Ya puede iniciar sesión con su nombre de usuario y esta contraseña.
newlink-title = Solicitar un nuevo enlace
newlink-intro = Enviaremos un enlace para establecer una nueva contraseña a la dirección de correo de su cuenta.
newlink-username = Su nombre de usuario o correo electrónico
newlink-submit = Enviarme un nuevo enlace
link-gone-title = Este enlace ya no funciona
link-gone-intro = El enlace ya se ha usado o ha caducado. Solicite uno nuevo:
newlink-sent-title = Revise su correo
newlink-sent-text = Si hay una cuenta activa con ese nombre de usuario o correo, le hemos enviado un nuevo enlace. Solo funciona una vez y caduca.
newlink-too-many = Se han solicitado demasiados enlaces.
newlink-give = Indique su nombre de usuario o correo electrónico.

home-title = Sus solicitudes
home-news = Novedades
home-mark-read = Marcar todo como leído
home-your-tasks = Sus tareas abiertas
home-no-task = No tiene ninguna tarea pendiente.

record-closed = Este expediente está cerrado: puede seguir consultándolo, pero ya no puede responder, comentar ni añadir archivos.
field-type = Tipo
field-state = Estado
field-supplier = Proveedor
field-access-ends = El acceso termina después del
tasks-title = Tareas
tasks-none = No hay tareas.
task-response = Respuesta:
task-your-response = Su respuesta
task-sign-send = Firmar y enviar la respuesta
task-send = Enviar respuesta
signatures-title = Firmas
signature-earlier = (firmó una versión anterior de este expediente)
checklists-title = Listas de comprobación
checklists-none = No hay listas de comprobación.
checklist-completed = completada
checklist-save = Guardar respuestas
checklist-complete = Completar
comments-title = Comentarios
comment-add = Añadir un comentario
comment-submit = Comentar
files-title = Archivos y fotos
files-none = Todavía no hay archivos.
files-add = Añadir un archivo o hacer una foto (PDF, imagen, texto o CSV; { $mb } MB como máximo)
files-upload = Subir
files-too-large = Este archivo supera los { $mb } MB. Si es una foto, vuelva a hacerla con menos resolución (o envíe una copia más pequeña) y súbala.
